package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/localdb/backup"
)

// StartBackups runs the backup schedule of the shop's store for the app's lifetime,
// reporting each copy's result to onResult. The demo has none.
type StartBackups func(store *localdb.Store, onResult func(error))

// SetBackups has the launcher start the shop's backup schedule when it opens the shop.
func (l *Launcher) SetBackups(start StartBackups) { l.startBackups = start }

// OnBackupResult shows the result of a copy; it may be called from any goroutine. A
// failure stays on the counter's status bar and on the desk until a copy succeeds.
func (u *UI) OnBackupResult(err error) {
	u.do(func() {
		u.backupErr = ""
		if err != nil {
			u.backupErr = err.Error()
		}
		for _, f := range u.statusListeners {
			f()
		}
	})
}

// loadBackupStatus reads the last copy's failure, which outlives the app.
func (u *UI) loadBackupStatus() {
	st, err := u.store.BackupStatus(u.context())
	if err != nil {
		u.backupErr = err.Error()
		return
	}
	u.backupErr = st.Err
}

// backupWarning is a red line with the last copy's failure, hidden while copies work.
func (u *UI) backupWarning() *widget.Label {
	w := widget.NewLabel("")
	w.Importance = widget.DangerImportance
	w.Wrapping = fyne.TextWrapWord
	refresh := func() {
		if u.backupErr == "" {
			w.Hide()
			return
		}
		w.SetText(u.lang.T("backups.failed", u.backupErr))
		w.Show()
	}
	refresh()
	u.statusListeners = append(u.statusListeners, refresh)
	return w
}

// backupsPage lists the store's copies, makes one now, chooses their folder and
// restores one.
func (d *desk) backupsPage() fyne.CanvasObject {
	l := d.u.lang
	ctx := d.pageCtx
	st, err := d.u.store.BackupStatus(ctx)
	if err != nil {
		d.fail(err)
		return container.NewVBox()
	}
	list, err := d.u.store.Backups(ctx)
	if err != nil {
		d.fail(err)
	}
	folder := widget.NewLabel(st.Dir)
	folder.Wrapping = fyne.TextWrapBreak
	last := l.T("backups.never")
	if !st.Last.IsZero() {
		last = d.u.lang.DateTime(st.Last)
	}
	now := widget.NewButtonWithIcon(l.T("backups.now"), theme.DocumentSaveIcon(), nil)
	now.Importance = widget.HighImportance
	now.OnTapped = func() {
		now.Disable()
		d.background(func() {
			_, err := d.u.store.Backup(ctx, backup.KindManual)
			d.u.OnBackupResult(err)
			d.u.do(func() {
				if err != nil {
					d.fail(err)
				}
				if ctx.Err() == nil {
					d.reload()
				}
			})
		})
	}
	choose := widget.NewButtonWithIcon(l.T("backups.choose"), theme.FolderOpenIcon(), func() {
		dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
			if err != nil || dir == nil {
				return
			}
			if err := d.u.store.SetBackupDir(ctx, dir.Path()); err != nil {
				d.fail(err)
				return
			}
			d.reload()
		}, d.win)
	})
	schedule := widget.NewLabel(l.T("backups.schedule"))
	schedule.Wrapping = fyne.TextWrapWord // a paragraph: at its own width it would widen the desk
	status := container.NewVBox(
		widget.NewForm(widget.NewFormItem(l.T("backups.folder"), folder),
			widget.NewFormItem(l.T("backups.last"), widget.NewLabel(last))),
		d.u.backupWarning(),
		schedule,
		container.NewHBox(now, choose))
	rows := container.NewVBox()
	if len(list) == 0 {
		rows.Add(widget.NewLabel(l.T("backups.none")))
	}
	for _, b := range list {
		rows.Add(d.backupRow(b))
	}
	return container.NewBorder(section(l.T("backups.status"), status), nil, nil, nil,
		section(l.T("backups.copies"), container.NewVScroll(rows)))
}

// backupRow is one copy: when, why, its size, verified, and Restore.
func (d *desk) backupRow(b backup.Info) fyne.CanvasObject {
	l := d.u.lang
	when := widget.NewLabel(d.u.lang.DateTime(b.Time))
	when.TextStyle.Bold = true
	kind := widget.NewLabel(d.u.backupKind(b.Kind))
	size := widget.NewLabel(fmt.Sprintf("%.1f MB", float64(b.Size)/1e6))
	verified := widget.NewLabelWithStyle("✓ "+l.T("backups.verified"), fyne.TextAlignLeading, fyne.TextStyle{})
	verified.Importance = widget.SuccessImportance
	restore := widget.NewButtonWithIcon(l.T("backups.restore"), theme.HistoryIcon(), func() { d.confirmRestore(b) })
	return container.NewBorder(nil, nil, nil, restore, container.NewGridWithColumns(4, when, kind, size, verified))
}

// confirmRestore asks before the store goes back to b; the store as it is now is
// copied first.
func (d *desk) confirmRestore(b backup.Info) {
	l := d.u.lang
	when := d.u.lang.DateTime(b.Time)
	dialog.ShowConfirm(l.T("backups.restore_title"), l.T("backups.restore_confirm", when), func(ok bool) {
		if !ok {
			return
		}
		d.background(func() {
			err := d.u.store.Restore(context.Background(), b.Path)
			d.u.do(func() {
				if err != nil {
					d.fail(err)
					return
				}
				d.changed()
				if d.u.sync != nil {
					d.u.sync.SyncNow() // what the cloud got since the copy comes back
				}
				d.done(l.T("backups.restored", when))
				d.reload()
			})
		})
	}, d.win)
}

// backupKind says why a copy was made.
func (u *UI) backupKind(k backup.Kind) string {
	switch k {
	case backup.KindAuto:
		return u.lang.T("backups.kind.auto")
	case backup.KindMigration:
		return u.lang.T("backups.kind.migration")
	case backup.KindRestore:
		return u.lang.T("backups.kind.restore")
	}
	return u.lang.T("backups.kind.manual")
}
