package tablet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // what the page's canvas sends
	_ "image/png"
	"io"
	"net/http"
	"time"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
	"github.com/merci-loyalty/merci/scanner"
)

const (
	// maxPicture bounds what the page may send: it scales frames and photos down to
	// at most pictureSide pixels across before sending, a JPEG of a few hundred kB.
	maxPicture  = 4 << 20
	pictureSide = 2048
	// frameBudget bounds the decoding of one live camera frame: the next frame follows.
	// A photo is taken once, so its decoder gets longer.
	frameBudget = 300 * time.Millisecond
	photoBudget = 2 * time.Second
)

// scanResult tells the page whether a card was read in what it sent; the rest follows
// through the state.
type scanResult struct {
	Read bool `json:"read"`
}

// handleScan reads a card's QR code in a camera frame or a photo from the tablet and
// credits the visit by the flow's self-scan rules, the kiosk window's. A frame without a
// code is answered {"read": false}, for the page to send the next one; a photo without
// one says so on the screen (?photo=1).
func (s *Server) handleScan(w http.ResponseWriter, r *http.Request, sc *screen) {
	photo := r.URL.Query().Get("photo") == "1"
	img, err := readPicture(http.MaxBytesReader(w, r.Body, maxPicture))
	if err != nil && !photo {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// A photo the tablet could not shrink (a format it cannot draw, or too large) reads
	// as no code: the customer takes another.
	read, text := false, ""
	if err == nil {
		budget := frameBudget
		if photo {
			budget = photoBudget
		}
		text, err = scanner.NewDecoder(budget).Decode(img)
		read = err == nil
	}
	sc.mu.Lock()
	switch {
	case !read && photo:
		sc.flow.Fail(sc.flow.Lang.T("tablet.no_code"))
	case read:
		if err := s.selfScan(r, sc, text); err != nil {
			s.log.Error("tablet: credit a self-service visit", "err", err)
		}
	}
	sc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(scanResult{Read: read}) // the tablet went away
}

// selfScan credits the card whose QR code holds text; called under the screen's lock.
func (s *Server) selfScan(r *http.Request, sc *screen, text string) error {
	if !sc.flow.CanScan() {
		return nil // someone is answering the survey
	}
	code, err := cards.ParsePayload(text)
	if err != nil {
		msg, _ := sc.flow.Explain(err)
		sc.flow.Fail(msg)
		return nil
	}
	return sc.flow.SelfScan(code, func(c cards.Code) (loyalty.Operation, localdb.Account, *nps.Invitation, error) {
		return s.store.RecordVisit(r.Context(), c, loyalty.Origin{Device: s.store.Device(), At: s.store.Now()})
	})
}

// readPicture decodes a JPEG or PNG, refusing pictures too large to decode cheaply.
func readPicture(body io.Reader) (image.Image, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("read the picture: %w", err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read the picture: %w", err)
	}
	if cfg.Width > pictureSide || cfg.Height > pictureSide {
		return nil, errors.New("picture too large: send at most 2048 pixels across")
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("read the picture: %w", err)
	}
	return img, nil
}
