package transfer

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
)

// ImportReason is the reason of the operations an import makes; the dashboard leaves
// them out of the period's activity, since they happened before Merci.
const ImportReason = "import"

// Errors about one row, wrapped in a RowError.
var (
	ErrNoIdentity     = errors.New("the row has no name, email, phone or card code")
	ErrBadEmail       = loyalty.ErrBadEmail
	ErrBadPhone       = loyalty.ErrBadPhone
	ErrBadNumber      = errors.New("not a whole number of 0 or more")
	ErrBadYesNo       = errors.New("not yes or no")
	ErrLooksFormula   = errors.New("starts with = like a formula: type the value itself")
	ErrTooLong        = loyalty.ErrTooLong
	ErrDuplicateRow   = errors.New("the same customer as an earlier row")
	ErrAmbiguous      = errors.New("the card, email and phone point to different customers")
	ErrOtherCard      = errors.New("the customer already has another card")
	ErrBalanceChanged = errors.New("a different opening balance was imported before: adjust the points in Customers instead")
	// ErrInvalidRows means rows have errors, so nothing was imported.
	ErrInvalidRows = errors.New("some rows have errors: nothing was imported")
)

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// RowError is what is wrong with one row.
type RowError struct {
	Row   int   // the spreadsheet's row number: the header is row 1
	Field Field // empty for the row as a whole
	Value string
	Err   error
}

func (e RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("row %d: %v", e.Row, e.Err)
	}
	return fmt.Sprintf("row %d, %s %q: %v", e.Row, e.Field, e.Value, e.Err)
}

func (e RowError) Unwrap() error { return e.Err }

// Options tune an import.
type Options struct {
	// DryRun checks every row and counts what the valid rows would change, writing
	// nothing; Report.Errors lists the others.
	DryRun bool
	// SkipInvalid imports the valid rows when others have errors, rather than nothing.
	SkipInvalid bool
	// Origin is who imports, from where and when: it stamps new customers and the
	// operations' device and staff.
	Origin loyalty.Origin
	// Progress, if set, is called now and then with the number of rows done.
	Progress func(done, total int)
}

// Report says what an import did, or would do in a dry run.
type Report struct {
	Rows       int // rows under the header
	New        int // customers created
	Updated    int // customers whose details changed
	Unchanged  int // customers found with nothing new
	Operations int // opening balances and past visits recorded
	Errors     []RowError
}

// record is a row read into the values it holds.
type record struct {
	row      int
	has      map[Field]bool // fields with a value in this row
	customer loyalty.Customer
	card     cards.Code
	points   int64
	cashback loyalty.Money
	visits   int64
}

// Import reads t's rows with m and creates or updates the customers they describe,
// with their cards, opening balances and past visits, in one transaction. With rows in
// error it imports nothing and returns ErrInvalidRows, unless opt.SkipInvalid.
func Import(ctx context.Context, s *localdb.Store, t Table, m Mapping, opt Options) (Report, error) {
	p, err := s.Program(ctx)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Rows: len(t.Rows)}
	var recs []record
	for i, row := range t.Rows {
		if blank(row) {
			continue
		}
		r, errs := parseRow(RowNumber(i), row, m, p.Currency)
		if len(errs) > 0 {
			rep.Errors = append(rep.Errors, errs...)
			continue
		}
		recs = append(recs, r)
	}
	err = s.InBatch(ctx, func(b *localdb.Batch) error {
		im, err := newImporter(ctx, s, b, p, opt)
		if err != nil {
			return err
		}
		for i, r := range recs {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := im.apply(r, &rep); err != nil {
				var re RowError
				if !errors.As(err, &re) {
					return err
				}
				rep.Errors = append(rep.Errors, re)
			}
			if opt.Progress != nil && (i%500 == 0 || i == len(recs)-1) {
				opt.Progress(i+1, len(recs))
			}
		}
		switch {
		case opt.DryRun:
			return errDryRun
		case len(rep.Errors) > 0 && !opt.SkipInvalid:
			return ErrInvalidRows
		}
		return nil
	})
	sortErrors(rep.Errors)
	if errors.Is(err, errDryRun) {
		return rep, nil
	}
	return rep, err
}

// sortErrors orders errors by row: some are found while reading, others while matching.
func sortErrors(errs []RowError) {
	slices.SortStableFunc(errs, func(a, b RowError) int { return cmp.Compare(a.Row, b.Row) })
}

// parseRow reads one row, reporting every bad cell rather than the first.
func parseRow(n int, row []string, m Mapping, currency string) (record, []RowError) {
	r := record{row: n, has: map[Field]bool{}}
	var errs []RowError
	for _, f := range Fields {
		col, ok := m[f]
		if !ok || col >= len(row) {
			continue
		}
		v := strings.TrimSpace(row[col])
		if v == "" {
			continue
		}
		v = unescape(v)
		fail := func(err error) { errs = append(errs, RowError{Row: n, Field: f, Value: v, Err: err}) }
		if strings.HasPrefix(v, "=") {
			fail(ErrLooksFormula)
			continue
		}
		if err := loyalty.CheckText(v); err != nil {
			fail(err)
			continue
		}
		r.has[f] = true
		var err error
		switch f {
		case FieldName:
			r.customer.Name = v
		case FieldEmail:
			v = loyalty.NormalizeEmail(v)
			err = loyalty.CheckEmail(v)
			r.customer.Email = v
		case FieldPhone:
			err = loyalty.CheckPhone(v)
			r.customer.Phone = v
		case FieldCard:
			r.card, err = cards.ParseCode(v)
		case FieldCompany:
			r.customer.Company = v
		case FieldTaxID:
			r.customer.TaxID = v
		case FieldConsent:
			r.customer.Consent, err = yesNo(v)
		case FieldPoints:
			r.points, err = wholeNumber(v)
		case FieldCashback:
			r.cashback, err = loyalty.ParseAmount(v, currency)
		case FieldBirthday:
			r.customer.BirthDay, r.customer.BirthMonth, err = birthday(v)
		case FieldVisits:
			r.visits, err = wholeNumber(v)
			if err == nil && r.visits > 10_000 {
				err = fmt.Errorf("%w: more than 10,000 visits", ErrBadNumber)
			}
		}
		if err != nil {
			fail(err)
		}
	}
	if len(errs) == 0 && !r.has[FieldName] && !r.has[FieldEmail] && !r.has[FieldPhone] && !r.has[FieldCard] {
		errs = append(errs, RowError{Row: n, Err: ErrNoIdentity})
	}
	return r, errs
}

// unescape undoes safeText: "'+33 6..." exported from Merci reads back as "+33 6...".
func unescape(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
		return v[1:]
	}
	return v
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// wholeNumber reads a count; spreadsheets store whole numbers as "12" or "12.0".
func wholeNumber(v string) (int64, error) {
	v = strings.TrimSuffix(strings.TrimSuffix(v, ".0"), ",0")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > 1_000_000_000 {
		return 0, ErrBadNumber
	}
	return n, nil
}

func yesNo(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "yes", "y", "true", "x", "oui", "o", "vrai", "sim", "s", "verdadeiro":
		return true, nil
	case "0", "no", "n", "false", "non", "faux", "não", "nao", "falso":
		return false, nil
	}
	return false, ErrBadYesNo
}

// importer matches records to customers and writes them inside one batch.
type importer struct {
	b       *localdb.Batch
	program loyalty.Program
	opt     Options
	byEmail map[string]*localdb.Account
	byPhone map[string]*localdb.Account
	byCode  map[cards.Code]*localdb.Account
	seen    map[string]int // customer id -> the row that matched it first
}

func newImporter(ctx context.Context, s *localdb.Store, b *localdb.Batch, p loyalty.Program, opt Options) (*importer, error) {
	all, err := s.Customers(ctx, "")
	if err != nil {
		return nil, err
	}
	im := &importer{b: b, program: p, opt: opt, byEmail: map[string]*localdb.Account{}, byPhone: map[string]*localdb.Account{},
		byCode: map[cards.Code]*localdb.Account{}, seen: map[string]int{}}
	for i := range all {
		im.index(&all[i])
	}
	return im, nil
}

func (im *importer) index(a *localdb.Account) {
	if a.Customer.Email != "" {
		im.byEmail[strings.ToLower(a.Customer.Email)] = a
	}
	if d := digits(a.Customer.Phone); len(d) >= 6 {
		im.byPhone[d] = a
	}
	im.byCode[a.Code()] = a
}

// match finds the customer r describes: by card, else email, else phone.
func (im *importer) match(r record) (*localdb.Account, error) {
	var found []*localdb.Account
	if r.card != "" {
		a, ok := im.byCode[r.card]
		if !ok {
			// A card replaced since is not in the index of current cards.
			if acc, err := im.b.Account(r.card); err == nil {
				a, ok = &acc, true
			} else if !errors.Is(err, localdb.ErrUnknownCard) {
				return nil, err
			}
		}
		if ok {
			found = append(found, a)
		}
	}
	if a, ok := im.byEmail[strings.ToLower(r.customer.Email)]; ok && r.customer.Email != "" {
		found = append(found, a)
	}
	if a, ok := im.byPhone[digits(r.customer.Phone)]; ok && r.customer.Phone != "" {
		found = append(found, a)
	}
	if len(found) == 0 {
		return nil, nil
	}
	for _, a := range found[1:] {
		if a.Customer.ID != found[0].Customer.ID {
			return nil, RowError{Row: r.row, Err: ErrAmbiguous}
		}
	}
	return found[0], nil
}

// apply creates or updates the customer of r and records their opening balance and
// past visits.
func (im *importer) apply(r record, rep *Report) error {
	a, err := im.match(r)
	if err != nil {
		return err
	}
	newBefore := rep.New
	if a == nil {
		a, err = im.create(r)
		if err != nil {
			return err
		}
		rep.New++
	} else {
		if first, ok := im.seen[a.Customer.ID]; ok {
			return RowError{Row: r.row, Err: fmt.Errorf("%w (row %d)", ErrDuplicateRow, first)}
		}
		if r.card != "" && r.card != a.Code() && a.Card.Status != loyalty.CardReplaced {
			return RowError{Row: r.row, Field: FieldCard, Value: r.card.String(), Err: fmt.Errorf("%w (%s)", ErrOtherCard, a.Code())}
		}
		changed, err := im.update(a, r)
		if err != nil {
			return err
		}
		if changed {
			rep.Updated++
		} else {
			rep.Unchanged++
		}
	}
	im.seen[a.Customer.ID] = r.row
	n, err := im.history(a, r, rep.New > newBefore)
	rep.Operations += n
	return err
}

func (im *importer) create(r record) (*localdb.Account, error) {
	c := r.customer
	c.ID, c.CreatedAt = uuid.NewString(), im.opt.Origin.At
	code := r.card
	if code == "" {
		var err error
		if code, err = cards.NewCode(); err != nil {
			return nil, err
		}
	}
	a := &localdb.Account{Customer: c, Card: loyalty.Card{Code: string(code), CustomerID: c.ID, Status: loyalty.CardActive, IssuedAt: c.CreatedAt}}
	if err := im.b.PutCustomer(c); err != nil {
		return nil, err
	}
	if err := im.b.PutCard(a.Card); err != nil {
		return nil, err
	}
	im.index(a)
	return a, nil
}

// update fills in the details r has; an empty cell never blanks what the shop knows.
func (im *importer) update(a *localdb.Account, r record) (bool, error) {
	c := a.Customer
	set := func(f Field, dst *string, v string) {
		if r.has[f] {
			*dst = v
		}
	}
	set(FieldName, &c.Name, r.customer.Name)
	set(FieldEmail, &c.Email, r.customer.Email)
	set(FieldPhone, &c.Phone, r.customer.Phone)
	set(FieldCompany, &c.Company, r.customer.Company)
	set(FieldTaxID, &c.TaxID, r.customer.TaxID)
	if r.has[FieldConsent] {
		c.Consent = r.customer.Consent
	}
	if r.has[FieldBirthday] {
		c.BirthDay, c.BirthMonth = r.customer.BirthDay, r.customer.BirthMonth
	}
	if c == a.Customer {
		return false, nil
	}
	if err := im.b.PutCustomer(c); err != nil {
		return false, err
	}
	a.Customer = c
	im.index(a)
	return true, nil
}

// history records the opening balance and the past visits of r that are not recorded
// yet, and returns how many operations it added. A customer created by this import has
// none yet, so fresh skips looking.
func (im *importer) history(a *localdb.Account, r record, fresh bool) (int, error) {
	// Stamped with the customer's creation, which a re-import reads back unchanged, so
	// that the ids come out the same.
	at := a.Customer.CreatedAt
	base := loyalty.Operation{CustomerID: a.Customer.ID, CardCode: a.Card.Code, Reason: ImportReason,
		Device: im.opt.Origin.Device, Staff: im.opt.Origin.Staff, At: at}
	var ops []loyalty.Operation
	if r.points > 0 || r.cashback > 0 {
		op := base
		op.ID, op.Kind = opID(at, a.Customer.ID, "balance", 0), loyalty.KindAdjust
		op.Delta = loyalty.Delta{Points: r.points, Cashback: r.cashback}
		op.Currency = im.program.Currency
		ops = append(ops, op)
	}
	for i := range r.visits {
		op := base
		op.ID, op.Kind = opID(at, a.Customer.ID, "visit", int(i)+1), loyalty.KindVisit
		ops = append(ops, op)
	}
	added := 0
	for _, op := range ops {
		if fresh {
			if _, err := im.b.AddOperation(op); err != nil {
				return added, err
			}
			added++
			continue
		}
		stored, err := im.b.Operation(op.ID)
		switch {
		case err == nil && stored.Delta != op.Delta:
			return added, RowError{Row: r.row, Field: FieldPoints, Value: strconv.FormatInt(r.points, 10), Err: ErrBalanceChanged}
		case err == nil:
			continue // imported before
		case !errors.Is(err, localdb.ErrNotFound):
			return added, err
		}
		if _, err := im.b.AddOperation(op); err != nil {
			return added, err
		}
		added++
	}
	return added, nil
}

// opID derives the id of an imported operation from what it stands for: the customer,
// the kind of history ("balance", "visit") and its number. It has the shape of a UUIDv7
// stamped at, so it sorts with the ledger by time, but its other bits come from a hash
// rather than chance: importing the same history twice yields the same ids, which the
// ledger stores once.
func opID(at time.Time, customerID, what string, n int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "merci-import\x00%s\x00%s\x00%d", customerID, what, n))
	var u uuid.UUID
	copy(u[:], sum[:16])
	ms := uint64(max(at.UnixMilli(), 0))
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // RFC 9562 variant
	return u.String()
}

// birthday reads a birthday as the shop types it ("14/03") or a date of birth as other
// systems export it ("1990-03-14", "14/03/1990"): only the day and month are kept.
func birthday(v string) (day, month int, err error) {
	day, month, err = loyalty.ParseBirthday(v)
	if err == nil {
		return day, month, nil
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006", "02.01.2006"} {
		if t, perr := time.Parse(layout, v); perr == nil {
			return t.Day(), int(t.Month()), nil
		}
	}
	return 0, 0, err
}
