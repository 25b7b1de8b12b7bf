package ui

import (
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestSettingsTabletPairAndRevoke pairs a browser through the address the settings page
// shows, then revokes it from the same page.
func TestSettingsTabletPairAndRevoke(t *testing.T) {
	t.Setenv("MERCI_TABLET_ADDR", "127.0.0.1:0")
	u := newTestUI(t)
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(900, 800))
	t.Cleanup(w.Close)
	u.showTablets(w)
	if u.tablet == nil {
		t.Fatal("the settings page started no tablet server")
	}
	shown := ""
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok {
			shown += l.Text + "\n"
		}
	}
	if !strings.Contains(shown, u.tablet.base) || !strings.Contains(shown, "No tablet paired yet.") {
		t.Fatalf("settings page shows %q, want the address %s and no tablet", shown, u.tablet.base)
	}
	code, err := u.tablet.srv.NewPairingCode()
	if err != nil {
		t.Fatal(err)
	}
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar}
	// The test reaches the server on loopback, whatever network address it shows.
	base := "http://127.0.0.1:" + u.tablet.base[strings.LastIndex(u.tablet.base, ":")+1:]
	r, err := browser.Get(base + "/pair?code=" + code)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("pairing = %d, want the page", r.StatusCode)
	}

	w.Canvas().Overlays().Top().Hide()
	u.showTablets(w)
	var revoke *widget.Button
	for _, o := range test.LaidOutObjects(w.Canvas().Overlays().Top()) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Revoke" {
			revoke = b
		}
	}
	if revoke == nil {
		t.Fatal("no Revoke button for the paired tablet")
	}
	test.Tap(revoke)
	r, err = browser.Get(base + "/state")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusUnauthorized {
		t.Errorf("revoked tablet GET /state = %d, want 401", r.StatusCode)
	}
}
