package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/syncwire"
)

// notSyncedShown is how many of the changes that will not reach the cloud the desk's
// alert lists; it says how many there are in all.
const notSyncedShown = 5

// notSyncedAlert is the band over every page of the owner's desk that lists this
// device's changes that will not reach the cloud: rejected by the server, or set aside
// by the sync client because the server kept failing on them. They stay on this
// device; the owner should know that the other devices will not see them.
type notSyncedAlert struct {
	box   *fyne.Container
	title *widget.Label
	rows  *widget.Label
	// again queues the set-aside operations once more, for a server fixed since.
	again *widget.Button
}

func (d *desk) newNotSyncedAlert() *notSyncedAlert {
	a := &notSyncedAlert{title: widget.NewLabel(""), rows: widget.NewLabel("")}
	a.title.TextStyle.Bold = true
	a.title.Importance = widget.DangerImportance
	a.title.Wrapping = fyne.TextWrapWord
	a.rows.Wrapping = fyne.TextWrapWord
	a.again = widget.NewButtonWithIcon("", theme.UploadIcon(), d.onSendAgain)
	a.again.Hide()
	a.box = container.NewVBox(card(container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), nil,
		container.NewVBox(a.title, a.rows, container.NewHBox(a.again)))))
	a.box.Hide()
	return a
}

// onSendAgain puts the set-aside operations back in the queue and wakes the sync.
func (d *desk) onSendAgain() {
	d.working(d.u.lang.T("notsynced.sending"), func(ctx context.Context) error {
		_, err := d.u.store.QueueSetAsideAgain(ctx)
		return err
	}, func(err error) {
		if err != nil {
			d.fail(err)
		}
		if d.u.sync != nil {
			d.u.sync.SyncNow()
		}
		d.loadNotSynced()
	})
}

// loadNotSynced reads the changes that will not reach the cloud and shows or hides the
// alert.
func (d *desk) loadNotSynced() {
	ctx := d.ctx
	d.background(func() {
		l, err := d.u.store.NotSynced(ctx, notSyncedShown)
		d.u.do(func() {
			if ctx.Err() == nil {
				d.showNotSynced(l, err)
			}
		})
	})
}

func (d *desk) showNotSynced(list localdb.NotSyncedList, err error) {
	l := d.u.lang
	a := d.notSynced
	a.again.Hide()
	switch {
	case err != nil:
		a.title.SetText(l.T("notsynced.unreadable"))
		a.rows.SetText(d.u.describe(err))
	case list.Total == 0:
		a.box.Hide()
		return
	default:
		a.title.SetText(l.T("notsynced.title", list.Total))
		lines := make([]string, 0, len(list.Changes)+2)
		for _, r := range list.Changes {
			lines = append(lines, d.notSyncedLine(r))
		}
		if more := list.Total - len(list.Changes); more > 0 {
			lines = append(lines, l.T("notsynced.more", more))
		}
		lines = append(lines, l.T("notsynced.hint"))
		a.rows.SetText(strings.Join(lines, "\n"))
		if list.SetAsideOps > 0 {
			a.again.SetText(l.T("notsynced.again", list.SetAsideOps))
			a.again.Show()
		}
	}
	a.box.Show()
}

// notSyncedLine says in one line when a change was made, what it was and why it will
// not reach the cloud.
func (d *desk) notSyncedLine(r localdb.RejectedChange) string {
	l := d.u.lang
	what := l.T("notsynced.record", r.Type, r.Key)
	if r.Type == syncwire.TypeOp {
		var op loyalty.Operation
		if json.Unmarshal(r.Body, &op) == nil {
			what = d.u.describeOp(op)
		}
	}
	why := l.T("notsynced.rejected", r.Reason)
	if r.Code == localdb.CodeSetAside {
		why = l.T("notsynced.set_aside")
	}
	return fmt.Sprintf("%s  ·  %s  ·  %s", r.At.Local().Format(momentFormat), what, why)
}

// notSyncedEvery is how often the alert is read again while a page is shown: a change
// is set aside in the background.
const notSyncedEvery = 30 * time.Second
