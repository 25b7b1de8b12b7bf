package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/merci-loyalty/merci/assets"
	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/cloud/store"
	"github.com/merci-loyalty/merci/cloud/wallet"
	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/syncwire"
)

// Wallet is what the card pages need to offer wallet passes; docs/wallet.md says where
// an operator gets it. Its zero value offers none.
type Wallet struct {
	// The passes need Config.PublicURL: a pass's QR code holds the card page's address
	// on it, as printed cards do, and Google fetches the shop's logo from it.
	Apple  *wallet.AppleSigner  // nil: no Apple Wallet passes
	Google *wallet.GoogleSigner // nil: no Google Wallet links
}

// iconPath serves Merci's icon, the Google Wallet logo of a shop without its own.
const iconPath = "/merci-icon.png"

// walletRoutes serves the passes that w configures, and nothing without it.
func (s *Server) walletRoutes(w Wallet) {
	if w.Apple != nil {
		s.mux.HandleFunc("GET /c/{tag}/{code}/pass.pkpass", s.limitAddr(s.cards, s.handleApplePass))
	}
	if w.Google != nil {
		s.mux.HandleFunc("GET /c/{tag}/{code}/google-wallet", s.limitAddr(s.cards, s.handleGoogleWallet))
		s.mux.HandleFunc("GET "+iconPath, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/png")
			w.Header().Set("Cache-Control", "public, max-age=86400")
			w.Write(assets.Icon) // the client went away
		})
	}
}

// walletLinks sets the card page's wallet buttons for the card code of the shop tagged
// tag: only a usable card is offered, and only while the certificates are valid.
func (s *Server) walletLinks(d *cardData, tag string, code cards.Code) {
	if tag == "" || d.Status != "" {
		return
	}
	page := "/c/" + tag + "/" + string(code)
	if a := s.cfg.Wallet.Apple; a != nil && a.Valid(s.cfg.Now()) == nil {
		d.AppleWallet = page + "/pass.pkpass"
	}
	if s.cfg.Wallet.Google != nil {
		d.GoogleWallet = page + "/google-wallet"
	}
}

// walletCard reads the card of the request for a pass, or answers why there is none.
func (s *Server) walletCard(w http.ResponseWriter, r *http.Request) (wallet.Card, store.CardView, i18n.Lang, bool) {
	tag := r.PathValue("tag")
	code, err := cards.ParseCode(r.PathValue("code"))
	if err != nil {
		http.NotFound(w, r)
		return wallet.Card{}, store.CardView{}, "", false
	}
	view, err := s.db.Card(r.Context(), tag, string(code))
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrSuspended):
		http.NotFound(w, r)
		return wallet.Card{}, view, "", false
	case err != nil:
		s.storeError(w, r, err)
		return wallet.Card{}, view, "", false
	}
	lang := acceptLanguage(r.Header.Get("Accept-Language"), i18n.English)
	d := viewData(lang, code, view, s.cfg.Now())
	c := wallet.Card{
		ShopName: view.ShopName, Code: code, Points: d.Points, Level: d.Tier,
		PageURL: cards.URL(strings.TrimRight(s.cfg.PublicURL, "/")+cards.CardPath+tag, code),
		// A blocked or replaced card's pass shows greyed out in the wallet.
		Voided: d.Status != "",
	}
	if d.Next != nil {
		c.Next, c.NextGap = d.Next.Name, d.NextGap
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	return c, view, lang, true
}

// handleApplePass serves a card's Apple Wallet pass, signed now with what it shows now.
// Adding it again replaces the one in the wallet: same pass type, same serial number.
func (s *Server) handleApplePass(w http.ResponseWriter, r *http.Request) {
	c, view, lang, ok := s.walletCard(w, r)
	if !ok {
		return
	}
	a := s.cfg.Wallet.Apple
	if err := a.Valid(s.cfg.Now()); err != nil {
		s.fail(w, r, http.StatusServiceUnavailable, syncwire.ErrCodeUnavailable, "wallet passes unavailable", err)
		return
	}
	var logo []byte
	if view.HasLogo {
		var err error
		if logo, err = s.db.ShopLogo(r.Context(), view.ShopTag); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.storeError(w, r, err)
			return
		}
	}
	pkpass, err := a.Pass(c, lang, logo)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, syncwire.ErrCodeInternal, "internal error", err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.apple.pkpass")
	w.Header().Set("Content-Disposition", `attachment; filename="card.pkpass"`)
	w.Write(pkpass) // the client went away
}

// handleGoogleWallet sends the customer to Google Wallet with a link signed on the
// click, so that the card page does not sign one for every view.
func (s *Server) handleGoogleWallet(w http.ResponseWriter, r *http.Request) {
	c, view, lang, ok := s.walletCard(w, r)
	if !ok {
		return
	}
	base := strings.TrimRight(s.cfg.PublicURL, "/")
	logo := base + iconPath
	if view.HasLogo {
		logo = base + cards.CardPath + view.ShopTag + "/logo.png"
	}
	link, err := s.cfg.Wallet.Google.SaveURL(view.ShopTag, c, logo, lang, s.cfg.Now())
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, syncwire.ErrCodeInternal, "internal error", err)
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}
