package ui

import (
	"context"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
)

// Syncer is the sync client as the screens use it.
type Syncer interface {
	Status() syncclient.Status
	SyncNow()
	Enroll(ctx context.Context, serverURL, code, deviceName string) error
	// Spend records a spend at the counter, checked by the cloud when it answers.
	Spend(ctx context.Context, code cards.Code, build func(localdb.Account) (loyalty.Operation, error)) (loyalty.Operation, localdb.Account, error)
	CloudAccount
}

// CloudAccount is the shop's cloud account as the owner's desk manages it from this
// device; *syncclient.Client is one. Its errors are syncclient's (ErrNotEnrolled,
// ErrNotOwner, ErrOffline, ...), which describe turns into sentences.
type CloudAccount interface {
	// Connection reads the account this device is in, locally: it works offline.
	Connection(ctx context.Context) (syncclient.Connection, error)
	// Devices, Revoke and NewCode are for the owner device only.
	Devices(ctx context.Context) ([]syncclient.Device, error)
	Revoke(ctx context.Context, id string) error
	NewCode(ctx context.Context, role syncclient.Role) (syncclient.EnrollCode, error)
	Overdrawn(ctx context.Context) ([]syncclient.Overdrawn, error)
}

// SetSync connects the screens to the sync client; its status callbacks must go to
// OnSyncStatus.
func (u *UI) SetSync(s Syncer) { u.sync = s }

// OnSyncStatus shows a new sync status; it may be called from any goroutine.
func (u *UI) OnSyncStatus(st syncclient.Status) {
	u.do(func() {
		u.syncStatus = st
		for _, f := range u.statusListeners {
			f()
		}
	})
}

// syncLine says in one line where the device stands with the cloud.
func (u *UI) syncLine(pending int) string {
	l := u.lang
	if u.sync == nil {
		return l.T("status.local", pending)
	}
	st := u.syncStatus
	last := l.T("status.never")
	if !st.LastSync.IsZero() {
		last = st.LastSync.Local().Format("15:04:05")
	}
	switch st.State {
	case syncclient.StateOnline:
		return l.T("status.online", pending, last)
	case syncclient.StateSyncing:
		return l.T("status.syncing", pending)
	case syncclient.StateOffline:
		return l.T("status.offline", pending, last)
	case syncclient.StateUnauthorized:
		return l.T("status.unauthorized", pending)
	}
	return l.T("status.local", pending)
}

// showConnect asks for the cloud server's address and an enrollment code, and enrolls
// this device off the UI goroutine. connected, if not nil, runs on the UI goroutine
// once the device is enrolled.
func (u *UI) showConnect(w fyne.Window, connected func()) {
	l := u.lang
	if u.sync == nil {
		return
	}
	serverURL, code := widget.NewEntry(), widget.NewEntry()
	serverURL.SetPlaceHolder("https://cloud.example.com")
	host, _ := os.Hostname()
	name := widget.NewEntry()
	name.SetText(host)
	items := []*widget.FormItem{
		widget.NewFormItem(l.T("cloud.server"), serverURL),
		widget.NewFormItem(l.T("cloud.code"), code),
		widget.NewFormItem(l.T("cloud.device_name"), name),
	}
	dialog.ShowForm(l.T("cloud.connect"), l.T("cloud.connect"), l.T("settings.cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		progress := dialog.NewCustomWithoutButtons(l.T("cloud.connecting"), widget.NewProgressBarInfinite(), w)
		progress.Show()
		// Read on the UI goroutine: the widgets are not the enrolling goroutine's to touch.
		server, enrollCode, deviceName := strings.TrimSpace(serverURL.Text), strings.TrimSpace(code.Text), strings.TrimSpace(name.Text)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := u.sync.Enroll(ctx, server, enrollCode, deviceName)
			u.do(func() {
				progress.Hide()
				if err != nil {
					dialog.ShowInformation(l.T("cloud.connect"), u.describe(err), w)
					return
				}
				dialog.ShowInformation(l.T("cloud.connect"), l.T("cloud.connected"), w)
				u.sync.SyncNow()
				if connected != nil {
					connected()
				}
			})
		}()
	}, w)
}
