package server

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

//go:embed card.html
var cardHTML string

var cardPage = template.Must(template.New("card").Parse(cardHTML))

// cardData is what the card page shows: the shop's name and the card's balance and
// rewards, nothing else of the shop or of the customer.
type cardData struct {
	Lang      i18n.Lang // the customer's, from their browser
	Manifest  string    // the web app manifest's path: the card on the home screen
	Logo      string    // the shop's logo's path, or ""
	QR        template.HTML
	Found     bool
	ShopName  string
	Code      string
	Status    string // why the card cannot be used, or ""
	Points    int64
	Cashback  string // "" when the program has no cashback
	Tier      string
	NextTier  string
	TierGap   int64 // experience still needed for NextTier
	TierPct   int
	TierUntil string           // "until Dec 31, 2027" for a status for a period
	Rewards   []loyalty.Reward // affordable now
	Next      *loyalty.Reward
	NextGap   int64
	NextPct   int
	Expiry    string // what expires next, and when; "" when nothing does

	Unavailable bool // the shop's account is suspended: nothing of the card is shown

	AppleWallet, GoogleWallet string // the passes' paths, or "" where none is offered
}

func (s *Server) handleCard(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; manifest-src 'self'; frame-ancestors 'none'")
	h.Set("Vary", "Accept-Language")

	lang := acceptLanguage(r.Header.Get("Accept-Language"), i18n.English)
	data := cardData{Lang: lang}
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
			data, status = viewData(lang, code, view, s.cfg.Now()), http.StatusOK
			if tag := r.PathValue("tag"); tag != "" {
				data.Manifest = "/c/" + tag + "/" + string(code) + "/manifest.webmanifest"
			}
			s.walletLinks(&data, r.PathValue("tag"), code)
			if view.HasLogo {
				data.Logo = "/c/" + view.ShopTag + "/logo.png"
			}
			if data.QR, err = qrSVG(string(code)); err != nil {
				s.fail(w, r, http.StatusInternalServerError, syncwire.ErrCodeInternal, "internal error", err)
				return
			}
		case errors.Is(err, store.ErrSuspended):
			data, status = cardData{Lang: lang, Unavailable: true}, http.StatusForbidden
		case !errors.Is(err, store.ErrNotFound):
			s.log.Error("card page", "err", err)
			status = http.StatusInternalServerError
		}
	}
	var b bytes.Buffer
	if err := cardPage.Execute(&b, data); err != nil {
		s.fail(w, r, http.StatusInternalServerError, syncwire.ErrCodeInternal, "internal error", err)
		return
	}
	w.WriteHeader(status)
	w.Write(b.Bytes()) // the client went away
}

// handleShopLogo serves the logo the shop set on its devices, for its card pages. A
// phone keeps it an hour, and asks again with its ETag after that.
func (s *Server) handleShopLogo(w http.ResponseWriter, r *http.Request) {
	logo, err := s.db.ShopLogo(r.Context(), r.PathValue("tag"))
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrSuspended):
		http.NotFound(w, r)
		return
	case err != nil:
		s.storeError(w, r, err)
		return
	}
	sum := sha256.Sum256(logo)
	h := w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(logo))
}

// handleCardManifest lets the customer add their card to the phone's home screen.
func (s *Server) handleCardManifest(w http.ResponseWriter, r *http.Request) {
	code, err := cards.ParseCode(r.PathValue("code"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	page := "/c/" + r.PathValue("tag") + "/" + string(code)
	lang := acceptLanguage(r.Header.Get("Accept-Language"), i18n.English)
	w.Header().Set("Content-Type", "application/manifest+json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]any{ // the client went away
		"name": lang.T("card.app_name"), "short_name": lang.T("card.app_name"), "lang": string(lang),
		"start_url": page, "scope": page, "display": "standalone",
		"background_color": "#f5f2ec", "theme_color": "#b5452b",
	})
}

// acceptLanguage returns the first supported language of an Accept-Language header, in
// the customer's order of preference, or fallback.
func acceptLanguage(header string, fallback i18n.Lang) i18n.Lang {
	best, bestQ := fallback, -1.0
	for i, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		if !strings.HasPrefix(tag, "en") && !strings.HasPrefix(tag, "fr") && !strings.HasPrefix(tag, "pt") {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		q -= float64(i) * 1e-6 // equal weights: the first listed wins
		if q > bestQ {
			best, bestQ = i18n.Parse(tag), q
		}
	}
	return best
}

// qrSVG draws text as a QR code in SVG, with its quiet zone, for the counter's scanner.
func qrSVG(text string) (template.HTML, error) {
	q, err := qrcode.New(text, cards.QRRecovery)
	if err != nil {
		return "", fmt.Errorf("card QR: %w", err)
	}
	bits := q.Bitmap()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges" role="img"><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`, len(bits), len(bits))
	for y, row := range bits {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	// Built above from numbers only: nothing of the request reaches it.
	return template.HTML(b.String()), nil
}

func viewData(l i18n.Lang, code cards.Code, v store.CardView, now time.Time) cardData {
	var next *loyalty.Expiry
	if p := v.Program; p != nil {
		// What is due to expire and no device has recorded yet is gone already.
		var due []loyalty.Expiry
		due, next = p.Expiries(v.Card.CustomerID, v.Ledger, now)
		for _, e := range due {
			v.Balance.Points -= max(e.Points, 0)
			v.Balance.Cashback -= max(e.Cashback, 0)
		}
	}
	d := cardData{Lang: l, Found: true, ShopName: v.ShopName, Code: code.String(), Points: v.Balance.Points}
	switch v.Card.Status {
	case loyalty.CardBlocked:
		d.Status = l.T("card.blocked")
	case loyalty.CardReplaced:
		d.Status = l.T("card.replaced")
	}
	p := v.Program
	if p == nil {
		return d
	}
	if p.CashbackBasisPoints > 0 || v.Balance.Cashback != 0 {
		d.Cashback = l.Money(v.Balance.Cashback, p.Currency)
	}
	if next != nil {
		d.Expiry = l.Expiry(*next, p.Currency)
	}
	if st := p.StatusAt(v.Ledger, v.Balance.XP, now); st.Tier != nil {
		d.Tier = st.Tier.Name
		if st.Tier.Perk != "" {
			d.Tier += " (" + st.Tier.Perk + ")"
		}
		if !st.Until.IsZero() {
			last := st.Until.AddDate(0, 0, -1) // held to the day before its review
			d.TierUntil = l.T("card.tier_until", l.Date(time.Date(last.Year(), last.Month(), last.Day(), 12, 0, 0, 0, time.Local)))
		}
		if next := st.Next; next != nil {
			d.NextTier, d.TierGap = next.Name, next.MinXP-st.XP
			d.TierPct = percent(st.XP-st.Tier.MinXP, next.MinXP-st.Tier.MinXP)
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
