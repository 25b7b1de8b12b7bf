package scanner_test

import (
	"context"
	"errors"
	"image"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/merci-loyalty/merci/cards"
	"github.com/merci-loyalty/merci/scanner"
)

const (
	cardA = "https://cards.example.com/c/K7QM2XRT9P6"
	cardB = "K7QM2XRT9P6" // the same card as a bare code: a different QR text
)

// events runs a Reader over src to the end and returns the texts of its events.
func events(t *testing.T, src scanner.Source, opts scanner.Options) ([]scanner.Event, *scanner.Reader) {
	t.Helper()
	r := scanner.Start(context.Background(), src, opts)
	t.Cleanup(func() {
		if err := r.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	go func() {
		for range r.Previews() {
		}
	}()
	var evs []scanner.Event
	for ev := range r.Events() {
		evs = append(evs, ev)
	}
	return evs, r
}

// lockstep returns a source playing frames, each only once the previous one has been
// decoded, and Options whose clock moves on by interval per frame: every frame is then
// decoded and the Reader's timing logic is tested however slow the machine is.
func lockstep(frames []image.Image, interval time.Duration, opts scanner.Options) (scanner.Source, scanner.Options) {
	ready := make(chan struct{}, 1)
	ready <- struct{}{}
	dec := scanner.NewDecoder(0)
	opts.Decode = func(g *image.Gray) (string, error) {
		defer func() { ready <- struct{}{} }()
		return dec.DecodeLuma(g)
	}
	src := &gatedSource{Source: scanner.NewImageSource(frames, 0, false), ready: ready, step: interval, now: time.Now()}
	opts.Now = src.clock
	return src, opts
}

type gatedSource struct {
	scanner.Source
	ready chan struct{}
	step  time.Duration

	mu  sync.Mutex
	now time.Time
}

func (s *gatedSource) Next(ctx context.Context) (image.Image, error) {
	select {
	case <-s.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	s.mu.Lock()
	s.now = s.now.Add(s.step)
	s.mu.Unlock()
	return s.Source.Next(ctx)
}

func (s *gatedSource) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func texts(evs []scanner.Event) []string {
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Text)
	}
	return out
}

func repeat(img image.Image, n int) []image.Image {
	out := make([]image.Image, n)
	for i := range out {
		out[i] = img
	}
	return out
}

func TestReaderReportsEachCardOnceWhileInView(t *testing.T) {
	a := render(t, scene{text: cardA, quad: rotated(320, 240, 260, 10)})
	b := render(t, scene{text: cardB, quad: rotated(320, 240, 200, -10)})
	empty := render(t, scene{})
	var frames []image.Image
	frames = append(frames, repeat(empty, 3)...)
	frames = append(frames, repeat(a, 8)...) // held up: one event
	frames = append(frames, repeat(b, 5)...) // another card: an event at once
	frames = append(frames, repeat(a, 5)...) // the first again: a new event
	frames = append(frames, repeat(empty, 10)...)
	frames = append(frames, repeat(a, 5)...) // back after longer than Hold: again
	src, opts := lockstep(frames, 15*time.Millisecond, scanner.Options{Hold: 100 * time.Millisecond})
	evs, r := events(t, src, opts)
	if diff := cmp.Diff([]string{cardA, cardB, cardA, cardA}, texts(evs)); diff != "" {
		t.Errorf("event texts (-want +got):\n%s", diff)
	}
	for _, ev := range evs {
		if ev.Err != nil || ev.Code != "K7QM2XRT9P6" {
			t.Errorf("event %q: Code %q, Err %v; want card K7QM2XRT9P6", ev.Text, ev.Code, ev.Err)
		}
		if ev.Latency < 0 || ev.Captured.IsZero() {
			t.Errorf("event %q: Latency %v, Captured %v; want both set", ev.Text, ev.Latency, ev.Captured)
		}
	}
	if err := r.Err(); err != nil {
		t.Errorf("Err() after the last frame = %v, want nil", err)
	}
}

func TestReaderHoldsACardSeenWithGaps(t *testing.T) {
	a := render(t, scene{text: cardA})
	empty := render(t, scene{})
	var frames []image.Image
	for range 4 { // the card wobbles: unreadable now and then, never away for Hold
		frames = append(frames, a, a, empty, empty)
	}
	src, opts := lockstep(frames, 10*time.Millisecond, scanner.Options{Hold: time.Second})
	evs, _ := events(t, src, opts)
	if diff := cmp.Diff([]string{cardA}, texts(evs)); diff != "" {
		t.Errorf("event texts (-want +got):\n%s", diff)
	}
}

func TestReaderNotMerciCard(t *testing.T) {
	wifi := render(t, scene{text: "WIFI:S:shop;T:WPA;P:secret;;"})
	src, opts := lockstep(repeat(wifi, 3), 10*time.Millisecond, scanner.Options{})
	evs, _ := events(t, src, opts)
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1: %+v", len(evs), evs)
	}
	if ev := evs[0]; !errors.Is(ev.Err, cards.ErrNotMerciCard) || ev.Code != "" {
		t.Errorf("event for a Wi-Fi QR: Code %q, Err %v; want no code, ErrNotMerciCard", ev.Code, ev.Err)
	}
}

// TestReaderDecodesNewestFrame feeds frames while the decoder is busy: stale frames
// must be dropped, never queued, and the last frame must be decoded. The first decode
// lasts until the source has given every frame, however the machine runs the two.
func TestReaderDecodesNewestFrame(t *testing.T) {
	var frames []image.Image
	for i := range 200 {
		g := image.NewGray(image.Rect(0, 0, 64, 48))
		g.Pix[0] = uint8(i)
		frames = append(frames, g)
	}
	src := &endingSource{Source: scanner.NewImageSource(frames, 0, false), ended: make(chan struct{})}
	var mu sync.Mutex
	var seen []int
	slow := func(g *image.Gray) (string, error) {
		mu.Lock()
		seen = append(seen, int(g.Pix[0]))
		first := len(seen) == 1
		mu.Unlock()
		if first {
			select {
			case <-src.ended:
			case <-time.After(time.Minute): // a failure bound only
				t.Error("the source was not read while a frame was decoded")
			}
		}
		return "", scanner.ErrNoCode
	}
	_, r := events(t, src, scanner.Options{Decode: slow})
	got, decoded := r.Stats()
	if got != 200 || decoded != len(seen) {
		t.Errorf("Stats() = %d, %d; want 200 frames and %d decoded", got, decoded, len(seen))
	}
	if len(seen) > 2 {
		t.Errorf("decoded frames %v: want the first and the newest, the stale ones dropped", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("decoded frames %v: not in order", seen)
		}
	}
	if last := seen[len(seen)-1]; last != 199 {
		t.Errorf("last frame decoded = %d, want 199 (the newest)", last)
	}
}

// endingSource closes ended when its source has no frame left.
type endingSource struct {
	scanner.Source
	ended chan struct{}
	once  sync.Once
}

func (s *endingSource) Next(ctx context.Context) (image.Image, error) {
	img, err := s.Source.Next(ctx)
	if errors.Is(err, io.EOF) {
		s.once.Do(func() { close(s.ended) })
	}
	return img, err
}

func TestReaderPreviews(t *testing.T) {
	a := render(t, scene{text: cardA})
	r := scanner.Start(context.Background(), scanner.NewImageSource([]image.Image{a}, 10*time.Millisecond, true), scanner.Options{})
	defer func() {
		if err := r.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
	}()
	go func() {
		for range r.Events() {
		}
	}()
	select {
	case p := <-r.Previews():
		if got, want := p.Bounds().Size(), image.Pt(320, 240); got != want {
			t.Errorf("preview size = %v, want %v", got, want)
		}
		// The code's dark quiet-zone corner region: the centre of the frame is code.
		if c := p.RGBAAt(160, 120); c.R == 0 && c.G == 0 && c.B == 0 && c.A == 0 {
			t.Errorf("preview centre is empty: %v", c)
		}
	case <-time.After(time.Minute): // a failure bound only
		t.Fatal("no preview within a minute")
	}
}

var errUnplugged = errors.New("device unplugged")

// failingSource gives a few frames, then fails as an unplugged camera does.
type failingSource struct {
	scanner.Source
	left int
}

func (s *failingSource) Next(ctx context.Context) (image.Image, error) {
	if s.left == 0 {
		return nil, errUnplugged
	}
	s.left--
	return s.Source.Next(ctx)
}

func TestReaderStopsWhenSourceFails(t *testing.T) {
	a := render(t, scene{text: cardA})
	src := &failingSource{Source: scanner.NewImageSource([]image.Image{a}, 5*time.Millisecond, true), left: 3}
	// Held for an hour and decoded without a time budget: the frames are one card in
	// view, read however slowly the machine runs.
	evs, r := events(t, src, scanner.Options{Hold: time.Hour, Decode: scanner.NewDecoder(0).DecodeLuma})
	if len(evs) != 1 {
		t.Errorf("got %d events, want 1 before the failure", len(evs))
	}
	if err := r.Err(); !errors.Is(err, errUnplugged) {
		t.Errorf("Err() = %v, want the source's error", err)
	}
}

// blockingSource never delivers a frame until closed, as a camera that hangs.
type blockingSource struct{ closed chan struct{} }

func (s blockingSource) Next(ctx context.Context) (image.Image, error) {
	<-s.closed
	return nil, io.EOF
}

func (s blockingSource) Close() error { close(s.closed); return nil }

func TestReaderStopUnblocksSource(t *testing.T) {
	r := scanner.Start(context.Background(), blockingSource{make(chan struct{})}, scanner.Options{})
	done := make(chan struct{})
	go func() {
		if err := r.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		if err := r.Stop(); err != nil { // twice is fine
			t.Errorf("second Stop: %v", err)
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute): // a failure bound only
		t.Fatal("Stop did not return within a minute")
	}
	if _, ok := <-r.Events(); ok {
		t.Error("Events() still open after Stop")
	}
	if err := r.Err(); err != nil {
		t.Errorf("Err() after Stop = %v, want nil", err)
	}
}
