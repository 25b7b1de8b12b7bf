package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// showBackups opens the desk's Backups page.
func showBackups(t *testing.T, d *desk) {
	t.Helper()
	for i, p := range d.pages {
		if p.key == "owner.nav.backups" {
			d.show(i)
			d.work.Wait()
			return
		}
	}
	t.Fatal("no Backups page")
}

// backupWarningShown returns the backup warning w shows, or "".
func backupWarningShown(w fyne.Window) string {
	for _, l := range findAll[*widget.Label](w.Content()) {
		if l.Visible() && strings.HasPrefix(l.Text, "The last backup failed: ") {
			return l.Text
		}
	}
	return ""
}

func hasLabel(d *desk, text string) bool {
	for _, l := range findAll[*widget.Label](d.content) {
		if l.Text == text {
			return true
		}
	}
	return false
}

// TestBackupNowAndAFailureWarns makes a copy from the desk, lists it, then fails one
// into a folder that cannot exist: the reason shows on the desk and on the counter's
// status bar until a copy succeeds.
func TestBackupNowAndAFailureWarns(t *testing.T) {
	u := newTestUI(t)
	c := u.newCounter()
	d := openOwnerDesk(t, u)
	showBackups(t, d)
	if !hasLabel(d, "No backup yet.") {
		t.Error("a new store's Backups page does not say there is no backup")
	}
	test.Tap(button(t, d.content, "Back up now"))
	d.work.Wait()
	if !hasLabel(d, "Made by hand") || !hasLabel(d, "✓ Verified") {
		t.Error("the copy made by hand is not listed, verified")
	}

	// A USB stick that is gone: a path under a regular file fails for root too.
	stick := filepath.Join(t.TempDir(), "stick")
	if err := os.WriteFile(stick, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := u.store.SetBackupDir(context.Background(), filepath.Join(stick, "merci")); err != nil {
		t.Fatal(err)
	}
	d.reload()
	test.Tap(button(t, d.content, "Back up now"))
	d.work.Wait()
	for name, w := range map[string]fyne.Window{"desk": d.win, "counter": c.win} {
		if got := backupWarningShown(w); !strings.Contains(got, "stick") {
			t.Errorf("%s warning = %q, want the reason", name, got)
		}
	}

	if err := u.store.SetBackupDir(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	d.win.Canvas().Overlays().Top().Hide()
	d.reload()
	test.Tap(button(t, d.content, "Back up now"))
	d.work.Wait()
	for name, w := range map[string]fyne.Window{"desk": d.win, "counter": c.win} {
		if got := backupWarningShown(w); got != "" {
			t.Errorf("%s warning still shown after a good copy: %q", name, got)
		}
	}
}
