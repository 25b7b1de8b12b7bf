package ui

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
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
	// Join enrolls the device and pulls its shop before anything is pushed.
	Join(ctx context.Context, req syncclient.JoinRequest) (syncclient.Joined, error)
	// ResumeJoin takes up a join cut short.
	ResumeJoin(ctx context.Context, progress func(syncclient.JoinProgress)) error
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
	if u.leaveDemo != nil {
		return l.T("status.demo")
	}
	if u.sync == nil {
		return l.T("status.local", pending)
	}
	st := u.syncStatus
	last := l.T("status.never")
	if !st.LastSync.IsZero() {
		last = l.Time(st.LastSync)
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
// this device off the UI goroutine. A device with data of its own is asked first what
// becomes of it. connected, if not nil, runs on the UI goroutine once the device is
// enrolled.
func (u *UI) showConnect(w fyne.Window, connected func()) {
	l := u.lang
	if u.leaveDemo != nil {
		dialog.ShowInformation(l.T("cloud.connect"), u.describe(localdb.ErrDemo), w)
		return
	}
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
	var join func(local localdb.LocalData)
	join = func(local localdb.LocalData) {
		progress := dialog.NewCustomWithoutButtons(l.T("cloud.connecting"), widget.NewProgressBarInfinite(), w)
		progress.Show()
		// Read on the UI goroutine: the widgets are not the joining goroutine's to touch.
		req := syncclient.JoinRequest{ServerURL: serverURL.Text, Code: code.Text, DeviceName: strings.TrimSpace(name.Text), Local: local}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			joined, err := u.sync.Join(ctx, req)
			u.do(func() {
				progress.Hide()
				if errors.Is(err, localdb.ErrOwnData) {
					u.askOwnData(w, join)
					return
				}
				if err != nil {
					dialog.ShowInformation(l.T("cloud.connect"), u.describe(err), w)
					return
				}
				msg := l.T("cloud.connected")
				if joined.Backup != "" {
					msg += "\n\n" + l.T("cloud.discarded_copy", joined.Backup)
				}
				dialog.ShowInformation(l.T("cloud.connect"), msg, w)
				if connected != nil {
					connected()
				}
			})
		}()
	}
	dialog.ShowForm(l.T("cloud.connect"), l.T("cloud.connect"), l.T("settings.cancel"), items, func(ok bool) {
		if ok {
			join(localdb.LocalDataNone)
		}
	}, w)
}

// askOwnData asks what becomes of this device's own customers before it joins a shop:
// brought in as new customers, or discarded (a copy is kept); then joins with the
// choice. Discarding asks once more. A device with no customer or operation of its own
// (a shop set up here, connected for the first time) brings its settings and staff in
// without asking: the shop's settings win where it has some.
func (u *UI) askOwnData(w fyne.Window, join func(localdb.LocalData)) {
	l := u.lang
	own, err := u.store.OwnData(u.context())
	if err != nil {
		dialog.ShowInformation(l.T("cloud.connect"), u.describe(err), w)
		return
	}
	if own.Customers == 0 && own.Operations == 0 {
		join(localdb.LocalDataBring)
		return
	}
	text := widget.NewLabel(u.describeOwnData(own))
	text.Wrapping = fyne.TextWrapWord
	var d *dialog.CustomDialog
	bring := widget.NewButtonWithIcon(l.T("cloud.own_bring"), theme.UploadIcon(), func() {
		d.Hide()
		join(localdb.LocalDataBring)
	})
	bring.Importance = widget.HighImportance
	discard := widget.NewButtonWithIcon(l.T("cloud.own_discard"), theme.DeleteIcon(), func() {
		d.Hide()
		dialog.ShowConfirm(l.T("cloud.own_discard"), l.T("cloud.own_discard_confirm"), func(ok bool) {
			if ok {
				join(localdb.LocalDataDiscard)
			}
		}, w)
	})
	discard.Importance = widget.DangerImportance
	d = dialog.NewCustomWithoutButtons(l.T("cloud.own_title"), text, w)
	d.SetButtons([]fyne.CanvasObject{widget.NewButton(l.T("settings.cancel"), d.Hide), discard, bring})
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}
