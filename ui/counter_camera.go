package ui

import (
	"context"
	"errors"
	"image"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/merci-loyalty/merci/scanner"
)

// prefCamera is the preference key of the camera chosen in settings; noCamera turns the
// camera off.
const (
	prefCamera = "camera"
	noCamera   = "off"
)

// cameraOpener opens the frame source of the camera with id ("" for the first found).
// The app opens webcams; tests and demos play image files.
type cameraOpener func(id string) (scanner.Source, error)

// openWebcam opens a webcam at VGA size: enough for a card held up to it, and cheap to
// decode at the camera's frame rate.
func openWebcam(id string) (scanner.Source, error) {
	return scanner.OpenCamera(id, image.Pt(640, 480))
}

// cameraPane shows the camera picture, a banner when there is no camera, and hands every
// code read to onEvent on the UI goroutine.
type cameraPane struct {
	u       *UI
	onEvent func(scanner.Event)

	img    *canvas.Image
	frame  *canvas.Rectangle // flashes when a card is read
	banner *widget.Label
	hint   *canvas.Text
	retry  *widget.Button
	box    fyne.CanvasObject

	stop func() // stops the running reader, nil when none
}

func (u *UI) newCameraPane(onEvent func(scanner.Event)) *cameraPane {
	p := &cameraPane{u: u, onEvent: onEvent}
	p.img = canvas.NewImageFromImage(nil)
	p.img.FillMode = canvas.ImageFillContain
	p.img.ScaleMode = canvas.ImageScaleFastest
	p.frame = canvas.NewRectangle(color.Transparent)
	p.frame.StrokeWidth = 4
	p.frame.CornerRadius = 8
	p.banner = widget.NewLabel("")
	p.banner.Wrapping = fyne.TextWrapWord
	p.banner.Alignment = fyne.TextAlignCenter
	p.banner.TextStyle.Bold = true
	p.hint = caption(u.lang.T("camera.still_works"))
	p.hint.Alignment = fyne.TextAlignCenter
	p.retry = widget.NewButtonWithIcon(u.lang.T("camera.retry"), theme.ViewRefreshIcon(), p.restart)
	p.retry.Importance = widget.LowImportance
	p.retry.Hide()
	bg := canvas.NewRectangle(themeColor(theme.ColorNameButton))
	bg.CornerRadius = 8
	p.box = container.NewStack(bg, p.img, container.NewCenter(container.NewVBox(p.banner, p.hint, container.NewCenter(p.retry))), p.frame)
	return p
}

// start opens the chosen camera and reads it until stop.
func (p *cameraPane) start() {
	id := p.u.app.Preferences().StringWithFallback(prefCamera, "")
	if id == noCamera {
		p.showBanner(p.u.lang.T("camera.off"), false)
		return
	}
	src, err := p.u.openCamera(id)
	if err != nil {
		p.showProblem(err)
		return
	}
	p.banner.Hide()
	p.hint.Hide()
	p.retry.Hide()
	ctx, cancel := context.WithCancel(context.Background())
	r := scanner.Start(ctx, src, scanner.Options{})
	done := make(chan struct{})
	p.stop = func() {
		cancel()
		r.Stop()
		<-done
	}
	go func() {
		defer close(done)
		p.pump(r)
	}()
}

// pump forwards a reader's previews and events to the UI goroutine until it stops.
func (p *cameraPane) pump(r *scanner.Reader) {
	events, previews := r.Events(), r.Previews()
	for events != nil || previews != nil {
		select {
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			p.u.do(func() {
				p.flash(ev.Err == nil)
				p.onEvent(ev)
			})
		case img, ok := <-previews:
			if !ok {
				previews = nil
				continue
			}
			p.u.do(func() {
				p.img.Image = img
				p.img.Refresh()
			})
		}
	}
	if err := r.Err(); err != nil {
		p.u.do(func() { p.showProblem(err) })
	}
}

// close stops the camera, for the window closing or a change of camera.
func (p *cameraPane) close() {
	if p.stop != nil {
		p.stop()
		p.stop = nil
	}
}

func (p *cameraPane) restart() {
	p.close()
	p.start()
}

// showProblem says why there is no picture; typing and USB scanners keep working.
func (p *cameraPane) showProblem(err error) {
	l := p.u.lang
	p.img.Image = nil
	p.img.Refresh()
	switch {
	case errors.Is(err, scanner.ErrNoCamera):
		p.showBanner(l.T("camera.none"), true)
	case errors.Is(err, scanner.ErrCameraBusy):
		p.showBanner(l.T("camera.busy"), true)
	case errors.Is(err, scanner.ErrCameraLost):
		p.showBanner(l.T("camera.lost"), true)
	default:
		p.u.log.Warn("camera", "err", err)
		p.showBanner(l.T("camera.failed"), true)
	}
}

func (p *cameraPane) showBanner(text string, retry bool) {
	p.banner.SetText(text)
	p.banner.Show()
	p.hint.Show()
	if retry {
		p.retry.Show()
	} else {
		p.retry.Hide()
	}
}

// flash outlines the picture for a moment: green for a card, red for a foreign QR code.
func (p *cameraPane) flash(card bool) {
	c := themeColor(theme.ColorNameSuccess)
	if !card {
		c = themeColor(theme.ColorNameError)
	}
	p.frame.StrokeColor = c
	p.frame.Refresh()
	time.AfterFunc(600*time.Millisecond, func() {
		p.u.do(func() {
			p.frame.StrokeColor = color.Transparent
			p.frame.Refresh()
		})
	})
}
