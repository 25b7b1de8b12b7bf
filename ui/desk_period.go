package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// periodKind is a period the owner looks at: a range of days ending today, or chosen.
type periodKind string

// The periods the picker offers, in its order.
const (
	periodToday  periodKind = "today"
	period7Days  periodKind = "7d"
	period30Days periodKind = "30d"
	periodMonth  periodKind = "month"
	periodCustom periodKind = "custom"
)

var periodKinds = []periodKind{periodToday, period7Days, period30Days, periodMonth, periodCustom}

// Preference keys of the last period chosen: the desk opens on it again.
const (
	prefPeriod     = "owner.period"
	prefPeriodFrom = "owner.period_from"
	prefPeriodTo   = "owner.period_to"
)

// bounds returns the period [from, to) in now's location: whole days, to included up to
// its end. from and to are the custom period's first and last days.
func (k periodKind) bounds(now, first, last time.Time) (from, to time.Time) {
	day := func(t time.Time) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, now.Location())
	}
	tomorrow := day(now).AddDate(0, 0, 1)
	switch k {
	case period7Days:
		return tomorrow.AddDate(0, 0, -7), tomorrow
	case period30Days:
		return tomorrow.AddDate(0, 0, -30), tomorrow
	case periodMonth:
		return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, now.Location()), tomorrow
	case periodCustom:
		if last.Before(first) {
			first, last = last, first
		}
		return day(first), day(last).AddDate(0, 0, 1)
	}
	return day(now), tomorrow
}

// periodPicker chooses a period and remembers the choice in the app's preferences.
type periodPicker struct {
	u        *UI
	kind     periodKind
	sel      *widget.Select
	from, to *widget.DateEntry
	custom   *fyne.Container
	onChange func()
}

func (u *UI) newPeriodPicker(onChange func()) *periodPicker {
	l := u.lang
	prefs := u.app.Preferences()
	p := &periodPicker{u: u, onChange: onChange, kind: periodKind(prefs.StringWithFallback(prefPeriod, string(period30Days)))}
	names := make([]string, len(periodKinds))
	for i, k := range periodKinds {
		names[i] = l.T("period." + string(k))
	}
	today := u.store.Now()
	first := time.UnixMilli(int64(prefs.IntWithFallback(prefPeriodFrom, int(today.AddDate(0, 0, -6).UnixMilli()))))
	last := time.UnixMilli(int64(prefs.IntWithFallback(prefPeriodTo, int(today.UnixMilli()))))
	p.from, p.to = widget.NewDateEntry(), widget.NewDateEntry()
	p.from.SetDate(&first)
	p.to.SetDate(&last)
	dateChanged := func(*time.Time) {
		if p.from.Date != nil && p.to.Date != nil {
			prefs.SetInt(prefPeriodFrom, int(p.from.Date.UnixMilli()))
			prefs.SetInt(prefPeriodTo, int(p.to.Date.UnixMilli()))
			p.onChange()
		}
	}
	p.from.OnChanged, p.to.OnChanged = dateChanged, dateChanged
	p.custom = container.NewHBox(p.from, widget.NewLabel("→"), p.to)
	p.sel = widget.NewSelect(names, func(name string) {
		for i, n := range names {
			if n == name {
				p.kind = periodKinds[i]
			}
		}
		prefs.SetString(prefPeriod, string(p.kind))
		p.custom.Hidden = p.kind != periodCustom
		p.custom.Refresh()
		p.onChange()
	})
	for i, k := range periodKinds {
		if k == p.kind {
			p.sel.Selected = names[i] // not SetSelected: that would call onChange before the page exists
		}
	}
	p.custom.Hidden = p.kind != periodCustom
	return p
}

// widget returns the picker to lay out, wide enough for the longest period's name.
func (p *periodPicker) widget() fyne.CanvasObject {
	width := canvas.NewRectangle(color.Transparent)
	width.SetMinSize(fyne.NewSize(230, 0))
	return container.NewHBox(container.NewStack(width, p.sel), p.custom)
}

// bounds returns the chosen period.
func (p *periodPicker) bounds() (from, to time.Time) {
	now := p.u.store.Now()
	var first, last time.Time
	if p.from.Date != nil && p.to.Date != nil {
		first, last = *p.from.Date, *p.to.Date
	} else {
		first, last = now, now
	}
	return p.kind.bounds(now, first, last)
}
