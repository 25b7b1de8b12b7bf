// Package ui holds Merci's Fyne screens: the counter, the kiosk and the owner's desk.
// It is the only package that imports Fyne. Work that can take time (sync, printing,
// imports) runs on goroutines that reach widgets only through fyne.Do.
package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"fyne.io/fyne/v2"

	"github.com/merci-loyalty/merci/i18n"
	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncclient"
)

// Preference keys of the choices made in settings.
const (
	prefLang = "lang"
	prefDark = "dark"
)

// UI is the running app: the store, the language and the windows.
type UI struct {
	app   fyne.App
	store *localdb.Store
	lang  i18n.Lang
	log   *slog.Logger
	staff localdb.Staff // who is at the till: nobody until someone types their PIN
	pins  pinGuard      // wrong PINs typed on this device
	clock clock

	// openCamera opens a camera's frames: the webcam in the app, image files in tests.
	openCamera cameraOpener
	// do runs a function on the UI goroutine: fyne.Do, or the test's own loop.
	do func(func())

	sync            Syncer // nil until main connects the sync client
	syncStatus      syncclient.Status
	statusListeners []func() // screens redrawing their status line, on the UI goroutine
	backupErr       string   // why the last backup failed; empty while backups work
	// answers holds the NPS answers the owner's desk reads and follows up.
	answers Answers
	// leaveDemo, set on the demo only, closes it and opens the shop's setup.
	leaveDemo func()
	// tablet serves the customer screen to tablets, once Settings › Customer tablet ran.
	tablet *customerTablet
}

// New prepares the app's screens over store. The language is the one chosen in settings,
// else the system's (systemLang).
func New(app fyne.App, store *localdb.Store, systemLang i18n.Lang, log *slog.Logger) *UI {
	app.Settings().SetTheme(merciTheme{dark: app.Preferences().Bool(prefDark)})
	lang := i18n.Parse(app.Preferences().StringWithFallback(prefLang, string(systemLang)))
	u := &UI{app: app, store: store, lang: lang, log: log, openCamera: openWebcam, do: fyne.Do, answers: storeAnswers{store}}
	u.clock = systemClock{u}
	return u
}

// context returns the context for store calls made from the UI thread: local SQLite
// calls that take milliseconds at most.
func (u *UI) context() context.Context { return context.Background() }

// setLang switches the language and remembers the choice.
func (u *UI) setLang(l i18n.Lang) {
	u.lang = l
	u.app.Preferences().SetString(prefLang, string(l))
}

// program returns the shop's loyalty program.
func (u *UI) program() (loyalty.Program, error) {
	return u.store.Program(u.context())
}

// describe turns an error into a sentence for the person at the screen: what happened
// and what to do. Errors nobody can act on are logged and shown as such.
func (u *UI) describe(err error) string {
	l := u.lang
	if fe := (errField{}); errors.As(err, &fe) {
		return fe.field + ": " + u.describe(fe.err)
	}
	if re := (*syncclient.SpendRefusedError)(nil); errors.As(err, &re) {
		if re.Cash {
			return l.T("err.refused_cashback", l.Money(re.Cashback, re.Currency))
		}
		return l.T("err.refused_points", l.Number(re.Points))
	}
	if ae := (*loyalty.OfflineAllowanceError)(nil); errors.As(err, &ae) {
		switch {
		case ae.Cash && ae.Cashback > 0:
			return l.T("err.offline_cashback", l.Money(ae.Cashback, ae.Currency))
		case !ae.Cash && ae.Points > 0:
			return l.T("err.offline_points", l.Number(ae.Points))
		}
		return l.T("err.offline_none")
	}
	if key, ok := lookupMessage(deskErrors, err); ok {
		return l.T(key)
	}
	if errors.Is(err, loyalty.ErrInvalidProgram) {
		return l.T("err.invalid_program", err.Error())
	}
	u.log.Error("unexpected error", "err", err)
	return l.T("err.internal", fmt.Sprint(err))
}
