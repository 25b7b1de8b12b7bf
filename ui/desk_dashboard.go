package ui

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/merci-loyalty/merci/localdb"
	"github.com/merci-loyalty/merci/loyalty"
	"github.com/merci-loyalty/merci/nps"
)

// npsFigures is what the dashboard shows of the answers of a period.
type npsFigures struct {
	summary     nps.Summary
	buckets     []nps.Bucket
	period      nps.Period
	invitations int
	byStatus    map[nps.Status]int // where the answers stand in the inbox
}

// dashboardPage shows a period's loyalty figures and NPS, with charts that answer one
// question each and carry their numbers.
type dashboardPage struct {
	d       *desk
	period  *periodPicker
	body    *fyne.Container
	status  *widget.Label
	program loyalty.Program
}

func (d *desk) dashboardPage() fyne.CanvasObject {
	p := &dashboardPage{d: d}
	p.program, _ = d.u.program() // without it money shows in euros: the demo's currency
	if p.program.Currency == "" {
		p.program.Currency = "EUR"
	}
	p.status = widget.NewLabel("")
	p.body = container.NewVBox()
	p.period = d.u.newPeriodPicker(p.refresh)
	refresh := widget.NewButtonWithIcon("", theme.ViewRefreshIcon(), p.refresh)
	top := container.NewBorder(nil, nil, p.period.widget(), container.NewHBox(p.status, refresh))
	p.refresh()
	d.every(time.Minute, p.refresh)
	return container.NewBorder(top, nil, nil, nil, container.NewVScroll(p.body))
}

// refresh reads the period's figures on a goroutine: over a big ledger it takes a moment.
func (p *dashboardPage) refresh() {
	l := p.d.u.lang
	from, to := p.period.bounds()
	p.status.SetText(l.T("dash.loading"))
	ctx := p.d.pageCtx
	p.d.background(func() {
		st, err := p.d.u.store.Stats(ctx, from, to, 8)
		var nf *npsFigures
		var nerr error
		if err == nil {
			nf, nerr = loadNPS(ctx, p.d.u.answers, from, to)
		}
		p.d.u.do(func() {
			if ctx.Err() != nil {
				return // the page or the desk was closed meanwhile
			}
			p.status.SetText("")
			switch {
			case err != nil:
				p.d.fail(err)
			case nerr != nil:
				p.d.fail(nerr)
			default:
				p.show(st, nf)
			}
		})
	})
}

func loadNPS(ctx context.Context, a Answers, from, to time.Time) (*npsFigures, error) {
	// A day holds too few answers for its score to mean much beyond two weeks of them.
	f := &npsFigures{period: nps.Day}
	switch span := to.Sub(from); {
	case span > 120*24*time.Hour:
		f.period = nps.Month
	case span > 14*24*time.Hour:
		f.period = nps.Week
	}
	var err error
	if f.summary, f.buckets, err = a.Figures(ctx, from, to, f.period); err != nil {
		return nil, err
	}
	if f.invitations, err = a.Invitations(ctx, from, to); err != nil {
		return nil, err
	}
	if f.byStatus, err = a.Counts(ctx, localdb.ResponseFilter{From: from, To: to}); err != nil {
		return nil, err
	}
	return f, nil
}

// kpi is one figure in a tile: what it is, its value, and a line to explain it.
func kpi(title, value, note string) fyne.CanvasObject {
	v := bigText(26, true, theme.ColorNamePrimary)
	v.Text = value
	n := widget.NewLabel(note)
	n.Truncation = fyne.TextTruncateEllipsis
	n.SizeName = theme.SizeNameCaptionText
	return card(container.NewVBox(caption(strings.ToUpper(title)), v, n))
}

func (p *dashboardPage) show(st localdb.Stats, nf *npsFigures) {
	l := p.d.u.lang
	cur := p.program.Currency
	num := func(n int64) string { return l.Number(n) }
	tiles := container.NewGridWithColumns(4,
		kpi(l.T("dash.active"), num(int64(st.ActiveCustomers)), l.T("dash.active_note", num(int64(st.NewCards)))),
		kpi(l.T("dash.visits"), num(int64(st.Visits)), l.T("dash.sales_note", l.Money(st.Sales, cur))),
		kpi(l.T("dash.points"), num(st.PointsIssued), l.T("dash.points_note", num(st.PointsRedeemed), num(int64(st.RewardsRedeemed)))),
		kpi(l.T("dash.cashback_owed"), l.Money(st.CashbackOwed, cur), l.T("dash.cashback_note")),
	)
	days := make([]string, len(st.Days))
	visits := make([]float64, len(st.Days))
	issued := make([]float64, len(st.Days))
	redeemed := make([]float64, len(st.Days))
	for i, d := range st.Days {
		days[i] = l.ShortDate(d.Day)
		visits[i], issued[i], redeemed[i] = float64(d.Visits), float64(d.PointsIssued), float64(d.PointsRedeemed)
	}
	win := p.d.win
	visitsChart := chart(win, 230, func() *plot.Plot {
		pl := newPlot(l.T("dash.chart_visits"))
		bars(pl, visits, barWidth(len(visits), 1), 0, themeColor(theme.ColorNamePrimary), true)
		pl.X.Tick.Marker = everyNth(days, 8)
		return pl
	})
	pointsChart := chart(win, 230, func() *plot.Plot {
		pl := newPlot(l.T("dash.chart_points"))
		w := barWidth(len(issued), 2)
		if b := bars(pl, issued, w, -w/2, themeColor(theme.ColorNamePrimary), false); b != nil {
			pl.Legend.Add(l.T("dash.issued"), b)
		}
		if b := bars(pl, redeemed, w, w/2, themeColor(theme.ColorNameWarning), false); b != nil {
			pl.Legend.Add(l.T("dash.redeemed"), b)
		}
		pl.X.Tick.Marker = everyNth(days, 8)
		return pl
	})
	p.body.Objects = []fyne.CanvasObject{
		tiles,
		container.NewGridWithColumns(2, card(visitsChart), card(pointsChart)),
		p.npsSection(nf),
		p.topCustomers(st.Top),
	}
	p.body.Refresh()
}

// barWidth fits n groups of k bars in a chart some 480 points wide.
func barWidth(n, k int) vg.Length {
	return vg.Length(max(2, min(28, 420/max(n, 1)/k)))
}

func (p *dashboardPage) npsSection(nf *npsFigures) fyne.CanvasObject {
	l := p.d.u.lang
	if nf == nil || nf.summary.N == 0 {
		msg := widget.NewLabel(l.T("dash.nps_none"))
		msg.Alignment = fyne.TextAlignCenter
		return section(l.T("dash.nps"), container.NewCenter(msg))
	}
	s := nf.summary
	score, _ := s.Score()
	big := bigText(56, true, theme.ColorNamePrimary)
	big.Text = npsText(score)
	if score < 0 {
		big.Color = themeColor(theme.ColorNameError)
	}
	lines := []string{
		l.T("dash.nps_n", l.Number(int64(s.N))),
		l.T("dash.nps_promoters", s.Promoters, p.share(s.PromoterShare())),
		l.T("dash.nps_passives", s.Passives, p.share(s.PassiveShare())),
		l.T("dash.nps_detractors", s.Detractors, p.share(s.DetractorShare())),
	}
	if nf.invitations > 0 {
		rate := nps.Share(s.N * 1000 / nf.invitations)
		lines = append(lines, l.T("dash.nps_rate", p.share(rate), l.Number(int64(nf.invitations))))
	}
	lines = append(lines, l.T("dash.nps_routine", nf.byStatus[nps.Untreated], nf.byStatus[nps.InProgress], nf.byStatus[nps.Closed]))
	if s.SmallSample() {
		lines = append(lines, l.T("dash.nps_small", nps.MinSample))
	}
	facts := widget.NewLabel(strings.Join(lines, "\n"))
	scoreBox := container.NewVBox(caption(strings.ToUpper(l.T("dash.nps_score"))), big, facts)

	win := p.d.win
	trend := chart(win, 230, func() *plot.Plot {
		pl := newPlot(l.T("dash.chart_nps_trend"))
		pl.Y.Min, pl.Y.Max = -100, 100
		var xys plotter.XYs
		var labels []string
		var names []string
		for i, b := range nf.buckets {
			names = append(names, l.ShortDate(b.Start))
			if sc, ok := b.Summary.Score(); ok {
				xys = append(xys, plotter.XY{X: float64(i), Y: float64(sc)})
				labels = append(labels, npsText(sc))
			}
		}
		if line, points, err := plotter.NewLinePoints(xys); err == nil {
			line.Color = themeColor(theme.ColorNamePrimary)
			line.Width = vg.Points(2)
			points.Color = themeColor(theme.ColorNamePrimary)
			pl.Add(line, points)
			if len(xys) <= 16 {
				if lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels}); err == nil {
					for i := range lb.TextStyle {
						lb.TextStyle[i].Color = themeColor(theme.ColorNameForeground)
					}
					lb.Offset = vg.Point{X: 4, Y: 4}
					pl.Add(lb)
				}
			}
		}
		zero := plotter.NewFunction(func(float64) float64 { return 0 })
		zero.Color = themeColor(colorMuted)
		zero.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
		pl.Add(zero)
		pl.X.Min, pl.X.Max = -0.5, float64(max(len(names), 1))-0.5
		pl.X.Tick.Marker = everyNth(names, 8)
		return pl
	})
	dist := chart(win, 230, func() *plot.Plot {
		pl := newPlot(l.T("dash.chart_nps_dist"))
		names := make([]string, 11)
		for score := range 11 {
			names[score] = fmt.Sprint(score)
			v := make([]float64, 11)
			v[score] = float64(s.Distribution[score])
			c, _ := nps.CategoryOf(score)
			bars(pl, v, 18, 0, categoryColor(c), false)
		}
		values := make([]float64, 11)
		for i, n := range s.Distribution {
			values[i] = float64(n)
		}
		addValueLabels(pl, values, 0)
		pl.NominalX(names...)
		return pl
	})
	return section(l.T("dash.nps"), container.NewBorder(nil, nil, scoreBox, nil, container.NewGridWithColumns(2, trend, dist)))
}

// categoryColor is the usual colour of an NPS group: red, amber, green.
func categoryColor(c nps.Category) color.Color {
	switch c {
	case nps.Promoter:
		return themeColor(theme.ColorNameSuccess)
	case nps.Passive:
		return themeColor(theme.ColorNameWarning)
	}
	return themeColor(theme.ColorNameError)
}

func (p *dashboardPage) topCustomers(top []localdb.TopCustomer) fyne.CanvasObject {
	l := p.d.u.lang
	if len(top) == 0 {
		return section(l.T("dash.top"), widget.NewLabel(l.T("dash.no_activity")))
	}
	grid := container.NewGridWithColumns(3,
		caption(l.T("customers.col_name")), caption(l.T("dash.spent")), caption(l.T("dash.visits")))
	for _, t := range top {
		name := t.Name
		if name == "" {
			name = l.T("customers.no_name")
		}
		grid.Add(widget.NewLabel(name))
		grid.Add(widget.NewLabel(l.Money(t.Spent, p.program.Currency)))
		grid.Add(widget.NewLabel(l.Number(int64(t.Visits))))
	}
	return section(l.T("dash.top"), grid)
}

// npsText writes a score with its sign, as NPS is written: "+41", "-12", "0".
func npsText(score int) string {
	if score > 0 {
		return fmt.Sprintf("+%d", score)
	}
	return fmt.Sprint(score)
}

// share writes a share with one decimal in the owner's language: "64.3" or "64,3".
func (p *dashboardPage) share(s nps.Share) string {
	return strings.Replace(s.String(), ".", p.d.u.lang.DecimalSeparator(), 1)
}
