package ui

import (
	"image"
	"image/color"
	"math"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// chart is a gonum plot drawn into a Fyne raster at the screen's pixel size, so that it
// stays crisp at any scale: build makes the plot, and runs again only when the chart's
// size changes.
func chart(win fyne.Window, height float32, build func() *plot.Plot) fyne.CanvasObject {
	var cached image.Image
	var cw, ch int
	r := canvas.NewRaster(func(w, h int) image.Image {
		if cached != nil && w == cw && h == ch {
			return cached
		}
		scale := win.Canvas().Scale()
		// At 72 × scale dots per inch a point is a logical pixel: fonts and lines match
		// the size of Fyne's own.
		dpi := max(int(math.Round(72*float64(scale))), 1)
		c := vgimg.NewWith(
			vgimg.UseWH(vg.Length(max(w, 1))*vg.Inch/vg.Length(dpi), vg.Length(max(h, 1))*vg.Inch/vg.Length(dpi)),
			vgimg.UseDPI(dpi),
			vgimg.UseBackgroundColor(color.Transparent))
		build().Draw(draw.New(c))
		cached, cw, ch = c.Image(), w, h
		return cached
	})
	r.SetMinSize(fyne.NewSize(200, height))
	return r
}

// chartFont is the sans-serif face of gonum's embedded Liberation fonts, nearest to the
// theme's own.
func chartFont(size vg.Length, bold bool) font.Font {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return f
}

// newPlot returns an empty plot in the theme's colours.
func newPlot(title string) *plot.Plot {
	fg := themeColor(theme.ColorNameForeground)
	muted := themeColor(colorMuted)
	p := plot.New()
	p.BackgroundColor = color.Transparent
	p.Title.Text = title
	p.Title.TextStyle.Color = fg
	p.Title.TextStyle.Font = chartFont(14, true)
	p.Title.Padding = 6
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color = muted
		a.Label.TextStyle.Color = muted
		a.Tick.Color = muted
		a.Tick.Label.Color = muted
		a.Tick.Label.Font = chartFont(11, false)
		a.Padding = 2
	}
	p.Y.Min = 0
	p.Y.Tick.Marker = wholeTicks{}
	p.Legend.TextStyle.Color = fg
	p.Legend.TextStyle.Font = chartFont(11, false)
	p.Legend.Top = true
	return p
}

// everyNth labels the nominal X axis with labels, showing one in every few so that
// they never overlap.
func everyNth(labels []string, most int) plot.Ticker {
	step := max(1, (len(labels)+most-1)/most)
	return plot.TickerFunc(func(_, _ float64) []plot.Tick {
		var ticks []plot.Tick
		for i, l := range labels {
			if i%step == 0 || i == len(labels)-1 && len(labels) <= most {
				ticks = append(ticks, plot.Tick{Value: float64(i), Label: l})
			} else {
				ticks = append(ticks, plot.Tick{Value: float64(i)})
			}
		}
		return ticks
	})
}

// bars adds bars of values at offset, with each value written above its bar when there
// is room for it.
func bars(p *plot.Plot, values []float64, width, offset vg.Length, col color.Color, labels bool) *plotter.BarChart {
	b, err := plotter.NewBarChart(plotter.Values(values), width)
	if err != nil {
		return nil // no bars to draw
	}
	b.Color = col
	b.LineStyle.Width = 0
	b.Offset = offset
	p.Add(b)
	if labels && len(values) <= 31 {
		addValueLabels(p, values, offset)
	}
	return b
}

// addValueLabels writes each non-zero value above its point.
func addValueLabels(p *plot.Plot, values []float64, offset vg.Length) {
	xys := make(plotter.XYs, 0, len(values))
	var texts []string
	for i, v := range values {
		if v == 0 {
			continue
		}
		xys = append(xys, plotter.XY{X: float64(i), Y: v})
		texts = append(texts, formatCount(v))
	}
	if len(xys) == 0 {
		return
	}
	l, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return
	}
	for i := range l.TextStyle {
		l.TextStyle[i].Color = themeColor(theme.ColorNameForeground)
		l.TextStyle[i].Font = chartFont(9, false)
		l.TextStyle[i].XAlign = draw.XCenter
	}
	l.Offset = vg.Point{X: offset, Y: 3}
	p.Add(l)
	// Room above the highest bar for its number.
	top := 0.0
	for _, v := range values {
		top = max(top, v)
	}
	p.Y.Max = max(p.Y.Max, top*1.15)
}

func formatCount(v float64) string { return strconv.FormatInt(int64(math.Round(v)), 10) }

// wholeTicks marks an axis of counts: whole numbers only, written without decimals.
type wholeTicks struct{}

func (wholeTicks) Ticks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value != math.Trunc(t.Value) {
			continue
		}
		if t.Label != "" {
			t.Label = strconv.FormatFloat(t.Value, 'f', 0, 64)
		}
		out = append(out, t)
	}
	return out
}
