package server

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/api"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/loyalty"
)

//go:embed card.html
var cardHTML string

var cardPage = template.Must(template.New("card").Parse(cardHTML))

// cardData is what the card page shows: the shop's name and the card's balance and
// rewards, nothing else of the shop or of the customer.
type cardData struct {
	Found    bool
	ShopName string
	Code     string
	Status   string // why the card cannot be used, or ""
	Points   int64
	Cashback string // "" when the program has no cashback
	Tier     string
	NextTier string
	TierGap  int64 // experience still needed for NextTier
	TierPct  int
	Rewards  []loyalty.Reward // affordable now
	Next     *loyalty.Reward
	NextGap  int64
	NextPct  int

	Unavailable bool // the shop's account is suspended: nothing of the card is shown
}

func (s *Server) handleCard(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")

	data := cardData{}
	status := http.StatusNotFound
	if code, err := cards.ParseCode(r.PathValue("code")); err == nil {
		var view store.CardView
		if tag := r.PathValue("tag"); tag != "" {
			view, err = s.db.Card(r.Context(), tag, string(code))
		} else {
			view, err = s.db.LegacyCard(r.Context(), string(code))
		}
		switch {
		case err == nil:
			data, status = viewData(code, view), http.StatusOK
		case errors.Is(err, store.ErrSuspended):
			data, status = cardData{Unavailable: true}, http.StatusForbidden
		case !errors.Is(err, store.ErrNotFound):
			s.log.Error("card page", "err", err)
			status = http.StatusInternalServerError
		}
	}
	var b bytes.Buffer
	if err := cardPage.Execute(&b, data); err != nil {
		s.fail(w, r, http.StatusInternalServerError, api.ErrCodeInternal, "internal error", err)
		return
	}
	w.WriteHeader(status)
	w.Write(b.Bytes()) // the client went away
}

func viewData(code cards.Code, v store.CardView) cardData {
	d := cardData{Found: true, ShopName: v.ShopName, Code: code.String(), Points: v.Balance.Points}
	switch v.Card.Status {
	case loyalty.CardBlocked:
		d.Status = "This card is blocked. Please ask at the counter."
	case loyalty.CardReplaced:
		d.Status = "This card was replaced by a newer one; your balance moved with you."
	}
	p := v.Program
	if p == nil {
		return d
	}
	if p.CashbackBasisPoints > 0 || v.Balance.Cashback != 0 {
		d.Cashback = formatMoney(v.Balance.Cashback, p.Currency)
	}
	if cur, next := p.TierFor(v.Balance.XP); cur != nil {
		d.Tier = cur.Name
		if next != nil {
			d.NextTier, d.TierGap = next.Name, next.MinXP-v.Balance.XP
			d.TierPct = percent(v.Balance.XP-cur.MinXP, next.MinXP-cur.MinXP)
		}
	}
	d.Rewards, d.Next = p.Reachable(v.Balance.Points)
	if d.Next != nil {
		d.NextGap = d.Next.Points - v.Balance.Points
		d.NextPct = percent(v.Balance.Points, d.Next.Points)
	}
	return d
}

func percent(n, of int64) int {
	if of <= 0 || n <= 0 {
		return 0
	}
	return int(min(100, n*100/of))
}

// formatMoney writes minor units as "12.50 EUR".
func formatMoney(m loyalty.Money, currency string) string {
	digits := loyalty.MinorDigits(currency)
	sign, n := "", int64(m)
	if n < 0 {
		sign, n = "-", -n
	}
	unit := loyalty.MinorPerUnit(currency)
	currency = strings.ToUpper(currency)
	if digits == 0 {
		return fmt.Sprintf("%s%d %s", sign, n, currency)
	}
	return fmt.Sprintf("%s%d.%0*d %s", sign, n/unit, digits, n%unit, currency)
}
