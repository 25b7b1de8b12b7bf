package scanner

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"time"

	"golang.org/x/image/draw"

	"github.com/merci-loyalty/merci/cards"
)

// Event is one QR code read by a Reader.
type Event struct {
	// Code is the card read; empty when Err is set.
	Code cards.Code
	// Text is what the QR code holds.
	Text string
	// Err is cards.ErrNotMerciCard when the QR code is someone else's.
	Err error
	// Captured is when the frame the code was read from arrived from the source.
	Captured time.Time
	// Latency is the time from Captured to the event being sent.
	Latency time.Duration
}

// DefaultBudget is the decoding work a Reader allows one frame unless told otherwise.
// The fast path always runs; the rescues get what is left. With the one rescue that may
// overrun it, a frame stays well within the 40 ms a 25 frames/s stream allows, and a
// code missed in one frame gets the next frame's chance.
const DefaultBudget = 12 * time.Millisecond

// Options tune a Reader. The zero value is what the counter screen wants.
type Options struct {
	// Budget bounds the decoding time of one frame (default DefaultBudget).
	Budget time.Duration
	// Hold is how long a code must be out of view before it counts again (default 2s):
	// a card kept in front of the camera is reported once, shown again later it is
	// reported again. A different code is reported at once.
	Hold time.Duration
	// PreviewWidth is the width of preview frames (default 320; height keeps the aspect).
	PreviewWidth int
	// PreviewEvery is the time between preview frames (default 100ms, 10 frames/s).
	PreviewEvery time.Duration
	// Decode replaces the Decoder; for comparing decoders in benchmarks.
	Decode func(*image.Gray) (string, error)
	// Now stamps frames as they arrive (default time.Now); tests give it a clock of
	// their own.
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Budget == 0 {
		o.Budget = DefaultBudget
	}
	if o.Hold == 0 {
		o.Hold = 2 * time.Second
	}
	if o.PreviewWidth == 0 {
		o.PreviewWidth = 320
	}
	if o.PreviewEvery == 0 {
		o.PreviewEvery = 100 * time.Millisecond
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Decode == nil {
		o.Decode = NewDecoder(o.Budget).DecodeLuma
	}
}

// Reader scans the frames of a Source for QR codes on two goroutines: one takes frames
// from the source as they come, the other decodes the newest and drops the ones it had
// no time for, so that what is decoded is never more than a frame old.
type Reader struct {
	src      Source
	opts     Options
	cancel   context.CancelFunc
	events   chan Event
	previews chan *image.RGBA
	mailbox  chan *lumaFrame // holds at most the newest undecoded frame
	free     chan *lumaFrame // recycled frame buffers
	wg       sync.WaitGroup
	stopOnce sync.Once

	mu      sync.Mutex
	err     error
	frames  int
	decoded int
}

type lumaFrame struct {
	g        image.Gray
	captured time.Time
}

// Start starts reading src and returns the running Reader, which owns src from now on
// and closes it in Stop. Call Stop when done.
func Start(ctx context.Context, src Source, opts Options) *Reader {
	opts.defaults()
	ctx, cancel := context.WithCancel(ctx)
	r := &Reader{
		src:      src,
		opts:     opts,
		cancel:   cancel,
		events:   make(chan Event, 8),
		previews: make(chan *image.RGBA, 1),
		mailbox:  make(chan *lumaFrame, 1),
		free:     make(chan *lumaFrame, 3),
	}
	r.wg.Add(2)
	go r.capture(ctx)
	go r.decode(ctx)
	return r
}

// Events delivers the codes read. It is closed when the Reader stops; Err then says why.
func (r *Reader) Events() <-chan Event { return r.events }

// Previews delivers downscaled frames for showing the camera picture, at most one
// waiting: a slow screen sees the newest. It is closed when the Reader stops.
func (r *Reader) Previews() <-chan *image.RGBA { return r.previews }

// Stop stops the Reader, closes its source (which unblocks a camera read) and waits for
// its goroutines; it returns the source's Close error. It is needed after Events closed
// by itself too, to release the source. It is safe to call more than once and from any
// goroutine; later calls return nil.
func (r *Reader) Stop() error {
	var err error
	r.stopOnce.Do(func() {
		r.cancel()
		if cerr := r.src.Close(); cerr != nil {
			err = fmt.Errorf("stop scanner: %w", cerr)
		}
	})
	r.wg.Wait()
	return err
}

// Err returns why the Reader stopped: nil after Stop or at the end of a file source, else
// the source's error, such as one wrapping ErrCameraLost.
func (r *Reader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Stats returns how many frames came from the source and how many were decoded; the rest
// were dropped as stale.
func (r *Reader) Stats() (frames, decoded int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.frames, r.decoded
}

func (r *Reader) capture(ctx context.Context) {
	defer r.wg.Done()
	defer close(r.mailbox)
	defer close(r.previews)
	var lastPreview time.Time
	for {
		img, err := r.src.Next(ctx)
		if err != nil {
			if !errors.Is(err, io.EOF) && ctx.Err() == nil {
				r.mu.Lock()
				r.err = err
				r.mu.Unlock()
			}
			return
		}
		now := r.opts.Now()
		r.mu.Lock()
		r.frames++
		r.mu.Unlock()
		r.post(r.copyLuma(img, now))
		if now.Sub(lastPreview) >= r.opts.PreviewEvery {
			lastPreview = now
			r.offerPreview(preview(img, r.opts.PreviewWidth))
		}
	}
}

// copyLuma copies the frame's luma into a recycled buffer: the source may reuse the
// frame's memory as soon as Next is called again.
func (r *Reader) copyLuma(img image.Image, captured time.Time) *lumaFrame {
	var f *lumaFrame
	select {
	case f = <-r.free:
	default:
		f = new(lumaFrame)
	}
	src := Luma(img)
	w, h := src.Rect.Dx(), src.Rect.Dy()
	if cap(f.g.Pix) < w*h {
		f.g.Pix = make([]byte, w*h)
	}
	f.g = image.Gray{Pix: f.g.Pix[:w*h], Stride: w, Rect: image.Rect(0, 0, w, h)}
	for y := range h {
		copy(f.g.Pix[y*w:(y+1)*w], src.Pix[y*src.Stride:])
	}
	f.captured = captured
	return f
}

// post puts f in the mailbox, dropping the stale frame still waiting there.
func (r *Reader) post(f *lumaFrame) {
	select {
	case r.mailbox <- f:
		return
	default:
	}
	select {
	case stale := <-r.mailbox:
		r.recycle(stale)
	default: // the decoder took it meanwhile
	}
	r.mailbox <- f // capture is the only sender, so there is room now
}

func (r *Reader) recycle(f *lumaFrame) {
	select {
	case r.free <- f:
	default:
	}
}

func (r *Reader) offerPreview(p *image.RGBA) {
	select {
	case r.previews <- p:
		return
	default:
	}
	select {
	case <-r.previews:
	default:
	}
	select {
	case r.previews <- p:
	default:
	}
}

func (r *Reader) decode(ctx context.Context) {
	defer r.wg.Done()
	defer close(r.events)
	var last string
	var lastSeen time.Time
	for f := range r.mailbox {
		text, err := r.opts.Decode(&f.g)
		captured := f.captured
		r.recycle(f)
		r.mu.Lock()
		r.decoded++
		r.mu.Unlock()
		if err != nil {
			continue
		}
		if text == last && captured.Sub(lastSeen) < r.opts.Hold {
			lastSeen = captured
			continue
		}
		last, lastSeen = text, captured
		ev := Event{Text: text, Captured: captured}
		ev.Code, ev.Err = cards.ParsePayload(text)
		ev.Latency = r.opts.Now().Sub(captured)
		select {
		case r.events <- ev:
		case <-ctx.Done():
			return
		}
	}
}

// preview scales img down to width w for the screen.
func preview(img image.Image, w int) *image.RGBA {
	b := img.Bounds()
	if b.Dx() < w {
		w = b.Dx()
	}
	h := max(1, b.Dy()*w/max(1, b.Dx()))
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}
