package server_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/internal/synctest"
	"github.com/merci-loyalty/merci/cloud/server"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/syncwire"
)

// roleShop is a shop with its owner device, a till and a kiosk, enrolled through the
// API, and a program with self-service visits.
type roleShop struct {
	owner, till, kiosk device
	prog               loyalty.Program
}

var roles = []syncwire.Role{syncwire.RoleOwner, syncwire.RoleTill, syncwire.RoleKiosk}

func (s roleShop) device(r syncwire.Role) device {
	return map[syncwire.Role]device{syncwire.RoleOwner: s.owner, syncwire.RoleTill: s.till, syncwire.RoleKiosk: s.kiosk}[r]
}

// enrollAs makes a code for role with owner's token and enrolls a device with it.
func (e *env) enrollAs(owner device, role syncwire.Role, name string) device {
	e.t.Helper()
	var code syncwire.CodeResponse
	if st := e.call("POST", "/v1/codes", owner.Token, syncwire.CodeRequest{Role: role}, &code); st != http.StatusCreated {
		e.t.Fatalf("POST /v1/codes for a %s: status %d", role, st)
	}
	if code.Role != role || code.Owner != (role == syncwire.RoleOwner) {
		e.t.Fatalf("code for a %s = %+v", role, code)
	}
	d := e.enroll(code.Code, name)
	if d.Role != role {
		e.t.Fatalf("device enrolled with a %s code is a %s", role, d.Role)
	}
	return d
}

func newRoleShop(e *env, name string) roleShop {
	e.t.Helper()
	s := roleShop{owner: e.shop(name)}
	s.till = e.enrollAs(s.owner, syncwire.RoleTill, "Till")
	s.kiosk = e.enrollAs(s.owner, syncwire.RoleKiosk, "Kiosk")
	s.prog = loyalty.Program{Currency: "EUR", PointsPerUnit: 1, PointsPerItem: 1, SelfServiceVisitPoints: 2}
	resp := e.push(s.owner, synctest.Record(e.t, syncwire.TypeSetting, syncwire.SettingProgram, s.prog),
		synctest.Record(e.t, syncwire.TypeCustomer, "cust-1", loyalty.Customer{ID: "cust-1", Name: "Ana", Email: "ana@example.com"}),
		emailChange(e.t, "ana@example.com"))
	if len(resp.Accepted) != 3 {
		e.t.Fatalf("owner's setup push = %+v", resp)
	}
	return s
}

// opChange returns op as a change with a new id, made now.
func opChange(t testing.TB, op loyalty.Operation) syncwire.Change {
	t.Helper()
	op.ID = synctest.NewID(t)
	if op.CustomerID == "" {
		op.CustomerID = "cust-1"
	}
	op.Device = "device"
	op.At = time.Now().UTC()
	return synctest.Change(t, op.ID, syncwire.TypeOp, op.ID, op)
}

func emailChange(t testing.TB, to string) syncwire.Change {
	t.Helper()
	return synctest.Record(t, syncwire.TypeEmail, synctest.NewID(t), syncwire.Email{To: to, Subject: "Thank you", Text: "See you soon"})
}

// visit is a self-service visit of a new card unless code is given.
func visit(t testing.TB, points int64, code string) syncwire.Change {
	t.Helper()
	if code == "" {
		c, err := cards.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		code = string(c)
	}
	return opChange(t, loyalty.Operation{Kind: loyalty.KindVisit, CardCode: code, Delta: loyalty.Delta{Points: points}})
}

// roomyLimits lets a test enroll, open card pages and fail authentication as often as
// it needs: the limits have tests of their own.
func roomyLimits() server.Config {
	roomy := server.Limit{Rate: 1000, Burst: 1000}
	return server.Config{CardLimit: roomy, EnrollLimit: roomy, AuthFailLimit: roomy, GlobalLimit: roomy}
}

func TestRolesOnEveryEndpoint(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, roomyLimits())
		s := newRoleShop(e, "Café Lune")
		type endpoint struct {
			method, path string
			body         any
			status       int
			allowed      []syncwire.Role
		}
		for _, role := range roles {
			spare := e.enrollAs(s.owner, syncwire.RoleTill, "Spare for "+string(role))
			endpoints := []endpoint{
				{"GET", "/v1/sync/pull?cursor=0", nil, http.StatusOK, roles},
				{"POST", "/v1/sync/push", syncwire.PushRequest{Changes: []syncwire.Change{}}, http.StatusOK, roles},
				{"GET", "/v1/overdrawn", nil, http.StatusOK, []syncwire.Role{syncwire.RoleOwner, syncwire.RoleTill}},
				{"GET", "/v1/devices", nil, http.StatusOK, []syncwire.Role{syncwire.RoleOwner}},
				{"POST", "/v1/codes", syncwire.CodeRequest{Role: syncwire.RoleKiosk}, http.StatusCreated, []syncwire.Role{syncwire.RoleOwner}},
				{"DELETE", "/v1/devices/" + spare.DeviceID, nil, http.StatusNoContent, []syncwire.Role{syncwire.RoleOwner}},
			}
			for _, ep := range endpoints {
				want := ep.status
				if !slices.Contains(ep.allowed, role) {
					want = http.StatusForbidden
				}
				var apiErr syncwire.Error
				req := ep.body
				st := e.call(ep.method, ep.path, s.device(role).Token, req, nil)
				if st != want {
					t.Errorf("%s %s by the %s: status %d, want %d", ep.method, ep.path, role, st, want)
				}
				if st == http.StatusForbidden {
					e.callError(ep.method, ep.path, s.device(role).Token, req, &apiErr)
					if apiErr.Code != syncwire.ErrCodeForbidden || !strings.Contains(apiErr.Message, "this device is a "+string(role)) {
						t.Errorf("%s %s by the %s: error %+v, want one that names the role", ep.method, ep.path, role, apiErr)
					}
				}
			}
		}
		// A code for an unknown role is refused, and so is none at all from the till.
		if st := e.call("POST", "/v1/codes", s.owner.Token, syncwire.CodeRequest{Role: "admin"}, nil); st != http.StatusBadRequest {
			t.Errorf("POST /v1/codes for role admin: status %d, want 400", st)
		}
		// An app from before roles asks with owner: false, and gets a till's code.
		var old syncwire.CodeResponse
		if st := e.call("POST", "/v1/codes", s.owner.Token, map[string]bool{"owner": false}, &old); st != http.StatusCreated || old.Role != syncwire.RoleTill {
			t.Errorf("an old app's code = %+v, status %d; want a till's", old, st)
		}
		var devs syncwire.DevicesResponse
		e.call("GET", "/v1/devices", s.owner.Token, nil, &devs)
		got := map[string]syncwire.Role{}
		for _, d := range devs.Devices {
			got[d.Name] = d.Role
		}
		if got["Till of Café Lune"] != syncwire.RoleOwner || got["Till"] != syncwire.RoleTill || got["Kiosk"] != syncwire.RoleKiosk {
			t.Errorf("devices' roles = %v", got)
		}
	})
}

// callError sends a request expected to fail and decodes its syncwire.Error.
func (e *env) callError(method, path, token string, body any, out *syncwire.Error) {
	e.t.Helper()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, e.http.URL+path, strings.NewReader(string(b)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		e.t.Fatalf("decode the error of %s %s: %v", method, path, err)
	}
}

func TestRolesOnEveryChange(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, roomyLimits())
		s := newRoleShop(e, "Café Lune")
		purchase := loyalty.Operation{Kind: loyalty.KindCredit, Amount: 1250, Currency: "EUR", Delta: loyalty.Delta{Points: 12}}
		// A purchase the till credits before its cancellation is pushed.
		tillCredit := opChange(t, purchase)
		if resp := e.push(s.till, tillCredit); len(resp.Accepted) != 1 {
			t.Fatalf("the till's purchase = %+v", resp)
		}
		var credited loyalty.Operation
		json.Unmarshal(tillCredit.Body, &credited)
		all, ownerTill, ownerOnly := roles, []syncwire.Role{syncwire.RoleOwner, syncwire.RoleTill}, []syncwire.Role{syncwire.RoleOwner}
		cases := []struct {
			name    string
			change  func() syncwire.Change
			allowed []syncwire.Role
		}{
			{"the program", func() syncwire.Change {
				return synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, s.prog)
			}, ownerOnly},
			{"the survey settings", func() syncwire.Change {
				return synctest.Record(t, syncwire.TypeSetting, "nps", map[string]int{"visit_hours": 1})
			}, ownerOnly},
			{"a customer", func() syncwire.Change {
				return synctest.Record(t, syncwire.TypeCustomer, "cust-2", loyalty.Customer{ID: "cust-2", Name: "Bo"})
			}, ownerTill},
			{"a card", func() syncwire.Change {
				return synctest.Record(t, syncwire.TypeCard, "K7QM2XRT9PC", loyalty.Card{Code: "K7QM2XRT9PC", CustomerID: "cust-1", Status: loyalty.CardActive})
			}, ownerTill},
			{"a new coupon", func() syncwire.Change {
				code := synctest.NewID(t)
				return synctest.Record(t, "coupon", code, map[string]string{"code": code, "offer": "A coffee"})
			}, ownerOnly},
			{"the redemption of a coupon", func() syncwire.Change {
				code := synctest.NewID(t)
				e.push(s.owner, synctest.Record(t, "coupon", code, map[string]string{"code": code, "offer": "A coffee"}))
				return synctest.Record(t, "coupon", code, map[string]string{"code": code, "offer": "A coffee", "redeemed_by": "staff"})
			}, ownerTill},
			{"a survey invitation", func() syncwire.Change {
				return synctest.Record(t, "nps_invitation", synctest.NewID(t), nps.Invitation{PurchaseOpID: credited.ID})
			}, all},
			{"a survey answer", func() syncwire.Change {
				return synctest.Record(t, "nps_response", synctest.NewID(t), nps.Response{Score: 9})
			}, all},
			{"a survey answer another device recorded", func() syncwire.Change {
				id := synctest.NewID(t)
				e.push(s.owner, synctest.Record(t, "nps_response", id, nps.Response{ID: id, Score: 2}))
				return synctest.Record(t, "nps_response", id, nps.Response{ID: id, Score: 10})
			}, ownerOnly},
			{"a follow-up of an answer", func() syncwire.Change {
				return synctest.Record(t, "nps_action", synctest.NewID(t), map[string]string{"kind": "note"})
			}, ownerOnly},
			{"a record of another type", func() syncwire.Change {
				return synctest.Record(t, "gift_list", "x", map[string]string{"a": "b"})
			}, ownerOnly},
			{"an email to a customer already written to", func() syncwire.Change { return emailChange(t, "ana@example.com") }, ownerTill},
			{"an email to a new address", func() syncwire.Change { return emailChange(t, synctest.NewID(t)+"@example.org") }, ownerOnly},
			{"an email to a customer who agreed to be contacted", func() syncwire.Change {
				id := synctest.NewID(t)
				e.push(s.owner, synctest.Record(t, syncwire.TypeCustomer, id, loyalty.Customer{ID: id, Name: "Bea", Email: id + "@example.org", Consent: true}))
				return emailChange(t, id+"@example.org")
			}, ownerTill},
			{"an email to a customer who did not agree to be contacted", func() syncwire.Change {
				id := synctest.NewID(t)
				e.push(s.owner, synctest.Record(t, syncwire.TypeCustomer, id, loyalty.Customer{ID: id, Name: "Bea", Email: id + "@example.org"}))
				return emailChange(t, id+"@example.org")
			}, ownerOnly},
			{"a purchase", func() syncwire.Change { return opChange(t, purchase) }, ownerTill},
			{"a purchase over the ceiling", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindCredit, Amount: 500001, Currency: "EUR", Delta: loyalty.Delta{Points: 5000}})
			}, ownerOnly},
			{"a purchase earning more than the program gives", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindCredit, Amount: 100, Currency: "EUR", Delta: loyalty.Delta{Points: 1000000}})
			}, ownerOnly},
			{"a purchase of three items, each earning", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindCredit, Amount: 1250, Items: 3, Currency: "EUR", Delta: loyalty.Delta{Points: 15}})
			}, ownerTill},
			{"a purchase earning for more items than it counts", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindCredit, Amount: 1250, Items: 2, Currency: "EUR", Delta: loyalty.Delta{Points: 15}})
			}, ownerOnly},
			{"a purchase in another currency", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindCredit, Amount: 100, Currency: "USD", Delta: loyalty.Delta{Points: 1}})
			}, ownerOnly},
			{"an adjustment", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindAdjust, Reason: "gift", Delta: loyalty.Delta{Points: 1000000}})
			}, ownerOnly},
			{"a debit", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindDebit, Delta: loyalty.Delta{Points: -5}})
			}, ownerTill},
			{"a redemption", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindRedeem, RewardID: "r1", Delta: loyalty.Delta{Points: -5}})
			}, ownerTill},
			{"a cancellation that takes back", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindVoid, Target: credited.ID, Delta: credited.Delta.Neg()})
			}, ownerTill},
			{"a cancellation of a taking that gives back", func() syncwire.Change {
				debit := opChange(t, loyalty.Operation{Kind: loyalty.KindDebit, Delta: loyalty.Delta{Points: -7}})
				e.push(s.owner, debit)
				var d loyalty.Operation
				json.Unmarshal(debit.Body, &d)
				return opChange(t, loyalty.Operation{Kind: loyalty.KindVoid, Target: d.ID, Delta: d.Delta.Neg()})
			}, ownerTill},
			{"a cancellation of nothing that gives", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindVoid, Target: synctest.NewID(t), Delta: loyalty.Delta{Points: 1000000}})
			}, ownerOnly},
			{"a cancellation that gives more than was taken", func() syncwire.Change {
				return opChange(t, loyalty.Operation{Kind: loyalty.KindVoid, Target: credited.ID, Delta: loyalty.Delta{Points: 1000000}})
			}, ownerOnly},
			{"a self-service visit", func() syncwire.Change { return visit(t, 2, "") }, all},
			{"a self-service visit of more points", func() syncwire.Change { return visit(t, 1000, "") }, ownerOnly},
		}
		for _, c := range cases {
			allowed := map[syncwire.Role]bool{}
			for _, r := range c.allowed {
				allowed[r] = true
			}
			for _, role := range roles {
				change := c.change()
				resp := e.push(s.device(role), change)
				switch {
				case allowed[role] && (len(resp.Accepted) != 1 || resp.Accepted[0] != change.ID):
					t.Errorf("%s by the %s = %+v, want accepted", c.name, role, resp)
				case !allowed[role] && (len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeForbidden || resp.Rejected[0].Reason == ""):
					t.Errorf("%s by the %s = %+v, want rejected as forbidden with its reason", c.name, role, resp)
				}
			}
		}
		// A kiosk may write its own answer again (a comment after the score).
		answer := synctest.NewID(t)
		for _, r := range []nps.Response{{ID: answer, Score: 2}, {ID: answer, Score: 2, Comment: "cold"}} {
			if resp := e.push(s.kiosk, synctest.Record(t, "nps_response", answer, r)); len(resp.Accepted) != 1 {
				t.Errorf("the kiosk writing its own answer %+v = %+v, want accepted", r, resp)
			}
		}
		// A till gives back a debit once, not twice.
		debit := opChange(t, loyalty.Operation{Kind: loyalty.KindDebit, Delta: loyalty.Delta{Points: -9}})
		var d loyalty.Operation
		json.Unmarshal(debit.Body, &d)
		undo := func() syncwire.Change {
			return opChange(t, loyalty.Operation{Kind: loyalty.KindVoid, Target: d.ID, Delta: d.Delta.Neg()})
		}
		if resp := e.push(s.till, debit, undo()); len(resp.Accepted) != 2 {
			t.Errorf("a debit and its cancellation = %+v, want both accepted", resp)
		}
		if resp := e.push(s.till, undo()); len(resp.Rejected) != 1 || !strings.Contains(resp.Rejected[0].Reason, "already cancelled") {
			t.Errorf("the same debit cancelled again = %+v, want forbidden", resp)
		}
		// A kiosk's forbidden change does not stop the allowed ones of its push.
		resp := e.push(s.kiosk, opChange(t, loyalty.Operation{Kind: loyalty.KindAdjust, Reason: "x", Delta: loyalty.Delta{Points: 1000000}}),
			visit(t, 2, ""))
		if len(resp.Rejected) != 1 || len(resp.Accepted) != 1 {
			t.Errorf("the kiosk's mixed push = %+v, want one rejected, one accepted", resp)
		}
	})
}

func TestKioskVisitsWithinTheProgramsLimit(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, roomyLimits())
		s := newRoleShop(e, "Café Lune")
		first := visit(t, 2, "")
		var op loyalty.Operation
		json.Unmarshal(first.Body, &op)
		if resp := e.push(s.kiosk, first); len(resp.Accepted) != 1 {
			t.Fatalf("first visit = %+v, want accepted", resp)
		}
		// Again the same day, from the kiosk or the till: over the limit of one a day.
		for _, d := range []device{s.kiosk, s.till} {
			if resp := e.push(d, visit(t, 2, op.CardCode)); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeForbidden ||
				!strings.Contains(resp.Rejected[0].Reason, "visit already counted") {
				t.Errorf("second visit of the day by the %s = %+v, want forbidden", d.Role, resp)
			}
		}
		// Spaced out over the past by a forged clock: only as far back as a month.
		old := opChange(t, loyalty.Operation{Kind: loyalty.KindVisit, CardCode: op.CardCode, Delta: loyalty.Delta{Points: 2}})
		var forged loyalty.Operation
		json.Unmarshal(old.Body, &forged)
		forged.At = time.Now().Add(-40 * 24 * time.Hour)
		old = synctest.Change(t, forged.ID, syncwire.TypeOp, forged.ID, forged)
		if resp := e.push(s.kiosk, old); len(resp.Rejected) != 1 || !strings.Contains(resp.Rejected[0].Reason, "clock") {
			t.Errorf("a visit dated 40 days ago = %+v, want rejected", resp)
		}
		// A cashback program's visit: its cashback, exactly.
		s.prog.SelfServiceVisitPoints, s.prog.CashbackBasisPoints, s.prog.SelfServiceVisitCashback = 0, 500, 50
		e.push(s.owner, synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, s.prog))
		cashbackVisit := func(cashback loyalty.Money) syncwire.Change {
			code, err := cards.NewCode()
			if err != nil {
				t.Fatal(err)
			}
			return opChange(t, loyalty.Operation{Kind: loyalty.KindVisit, CardCode: string(code), Currency: "EUR", Delta: loyalty.Delta{Cashback: cashback}})
		}
		if resp := e.push(s.kiosk, cashbackVisit(50)); len(resp.Accepted) != 1 {
			t.Errorf("a visit of the program's cashback = %+v, want accepted", resp)
		}
		if resp := e.push(s.kiosk, cashbackVisit(500)); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeForbidden {
			t.Errorf("a visit of more cashback = %+v, want forbidden", resp)
		}
		if resp := e.push(s.kiosk, visit(t, 2, "")); len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeForbidden {
			t.Errorf("a visit of points in a cashback program = %+v, want forbidden", resp)
		}
		// Visits off in the program: none from the kiosk.
		s.prog.SelfServiceVisitCashback = 0
		e.push(s.owner, synctest.Record(t, syncwire.TypeSetting, syncwire.SettingProgram, s.prog))
		if resp := e.push(s.kiosk, visit(t, 2, "")); len(resp.Rejected) != 1 || !strings.Contains(resp.Rejected[0].Reason, "off") {
			t.Errorf("a visit with visits off = %+v, want rejected", resp)
		}
	})
}

func TestQuotas(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, roomyLimits())
		s := newRoleShop(e, "Café Lune") // one email queued
		e.db.Quotas = store.Quotas{EmailsPerDay: 3, StorageBytes: 1 << 20}
		resp := e.push(s.owner, emailChange(t, "a@example.com"), emailChange(t, "b@example.com"), emailChange(t, "c@example.com"))
		if len(resp.Accepted) != 2 || len(resp.Rejected) != 1 || resp.Rejected[0].Code != syncwire.CodeQuota {
			t.Errorf("4 emails in a day with a quota of 3 = %+v, want the 4th rejected for the quota", resp)
		}
		// Another shop has its own quota.
		other := newRoleShop(e, "Other")
		if resp := e.push(other.owner, emailChange(t, "a@example.com")); len(resp.Accepted) != 1 {
			t.Errorf("another shop's email = %+v, want accepted", resp)
		}
		// Storage: changes go in until the shop's bytes are used up.
		big := strings.Repeat("x", 60<<10)
		var accepted, quota int
		for i := range 20 {
			resp := e.push(s.owner, synctest.Record(t, "notes", "n"+string(rune('a'+i)), map[string]string{"text": big}))
			accepted += len(resp.Accepted)
			for _, r := range resp.Rejected {
				if r.Code == syncwire.CodeQuota && strings.Contains(r.Reason, "storage") {
					quota++
				}
			}
		}
		if accepted < 15 || accepted > 17 || quota != 20-accepted {
			t.Errorf("20 changes of 60 KiB under a 1 MiB quota: %d accepted, %d over the quota; want about 16 and the rest refused", accepted, quota)
		}
		// Full, the shop keeps no more records of rejected changes either: the same id
		// with another content is judged again, not answered as a conflict.
		e.db.Quotas.StorageBytes = 1 << 10
		bad := synctest.Record(t, syncwire.TypeOp, "x", map[string]string{"not": "an op"})
		for _, body := range []string{`{"a":1}`, `{"a":2}`} {
			bad.Body = json.RawMessage(body)
			if resp := e.push(s.owner, bad); len(resp.Rejected) != 1 || resp.Rejected[0].Code == syncwire.CodeConflict {
				t.Errorf("a rejected change over the quota = %+v, want rejected and not kept", resp)
			}
		}
		// With no quota, nothing is refused.
		e.db.Quotas.StorageBytes = 0
		if resp := e.push(s.owner, synctest.Record(t, "notes", "free", map[string]string{"text": big})); len(resp.Accepted) != 1 {
			t.Errorf("with no storage quota = %+v, want accepted", resp)
		}
	})
}

// The two attacks on card codes of one namespace for all shops: probing another
// shop's codes through push, and claiming a code before the shop that issued it
// pushes it.
func TestCardCodesAreScopedToTheirShop(t *testing.T) {
	synctest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, roomyLimits())
		a, b := e.shop("Café Lune"), e.shop("Intruder")
		card := func(code cards.Code, customer string) syncwire.Change {
			return synctest.Record(t, syncwire.TypeCard, string(code), loyalty.Card{Code: string(code), CustomerID: customer, Status: loyalty.CardActive})
		}
		issued, unused, claimed := newCardCode(t), newCardCode(t), newCardCode(t)
		e.push(a, card(issued, "ana"))

		// Probing: B's push of A's code and of a code nobody has get the same answer.
		for _, code := range []cards.Code{issued, unused} {
			resp := e.push(b, card(code, "probe"))
			if len(resp.Accepted) != 1 || len(resp.Rejected) != 0 {
				t.Errorf("B pushing code %s = %+v, want accepted like any code: no answer tells", code, resp)
			}
		}

		// Claiming: B pushes a code before A, then A pushes it.
		e.push(b, card(claimed, "thief"))
		if resp := e.push(a, card(claimed, "bea")); len(resp.Accepted) != 1 {
			t.Fatalf("A pushing its card after B = %+v, want accepted", resp)
		}
		get := func(path string) (int, string) {
			resp, err := http.Get(e.http.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var sb strings.Builder
			buf := make([]byte, 32<<10)
			for {
				n, err := resp.Body.Read(buf)
				sb.Write(buf[:n])
				if err != nil {
					break
				}
			}
			return resp.StatusCode, sb.String()
		}
		for _, code := range []cards.Code{issued, claimed} {
			st, page := get("/c/" + a.ShopTag + "/" + string(code))
			if st != http.StatusOK || !strings.Contains(page, "Café Lune") || strings.Contains(page, "Intruder") {
				t.Errorf("A's page of %s: status %d, want Café Lune's card and nothing of B", code, st)
			}
		}
		// The unscoped address shows only cards of before the change: none here.
		if st, _ := get("/c/" + string(claimed)); st != http.StatusNotFound {
			t.Errorf("GET /c/CODE of a new card: status %d, want 404", st)
		}
		// A's pulls hold A's cards alone.
		for _, c := range e.pull(a, "cursor=0").Changes {
			var got loyalty.Card
			json.Unmarshal(c.Body, &got)
			if got.CustomerID == "thief" || got.CustomerID == "probe" {
				t.Errorf("A pulls B's card %+v", got)
			}
		}
	})
}

func newCardCode(t testing.TB) cards.Code {
	t.Helper()
	c, err := cards.NewCode()
	if err != nil {
		t.Fatal(err)
	}
	return c
}
