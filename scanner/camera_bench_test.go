package scanner_test

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/scanner"
)

// cameraFrames returns 640x480 frames as a camera gives them: half hold a card's code
// in various conditions, half hold none (clutter with finder-like squares, the slowest
// case, since every rescue strategy gets its chance).
func cameraFrames(tb testing.TB) []image.Image {
	var frames []image.Image
	for i, s := range []scene{
		{quad: rotated(320, 240, 260, 20)},
		{quad: [4][2]float64{{200, 110}, {470, 150}, {450, 400}, {170, 360}}},
		{noise: 20, seed: 4},
		{blur: 2, quad: rotated(300, 260, 220, -15)},
		{invert: true, surround: 15},
		{glare: 0.5, dark: 60, light: 180},
		{quad: rotated(320, 240, 150, 5)},
		{noise: 10, dark: 90, light: 160, seed: 5},
	} {
		s.text = fmt.Sprintf("https://cards.example.com/c/K7QM2XRT9P6?frame=%d", i)
		frames = append(frames, render(tb, s))
	}
	rng := rand.New(rand.NewPCG(11, 11))
	for i := range 8 {
		frames = append(frames, toYCbCr(clutter(rng, i%2 == 0)))
	}
	return frames
}

func toYCbCr(g *image.Gray) *image.YCbCr {
	img := image.NewYCbCr(g.Rect, image.YCbCrSubsampleRatio420)
	copy(img.Y, g.Pix)
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = 128, 128
	}
	return img
}

// BenchmarkCameraFrames decodes 640x480 camera frames (*image.YCbCr) on one core with
// the budget the Reader uses, and with plain gozxing on the same frames, and reports the
// frames per CPU second of both (CPU time, so that other programs on the machine do not
// skew it) and Merci's slowest frame by the wall clock.
func BenchmarkCameraFrames(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	frames := cameraFrames(b)
	dec := scanner.NewDecoder(scanner.DefaultBudget)
	var merci, plain, slowest time.Duration
	n := 0
	for b.Loop() {
		start := cpuTime()
		for _, f := range frames {
			t := time.Now()
			_, _ = dec.Decode(f)
			slowest = max(slowest, time.Since(t))
		}
		merci += cpuTime() - start
		start = cpuTime()
		for _, f := range frames {
			_, _ = plainGozxing(f)
		}
		plain += cpuTime() - start
		n += len(frames)
	}
	b.ReportMetric(float64(n)/merci.Seconds(), "merci-frames/cpu-s")
	b.ReportMetric(float64(n)/plain.Seconds(), "gozxing-frames/cpu-s")
	b.ReportMetric(plain.Seconds()/merci.Seconds(), "speedup")
	b.ReportMetric(float64(slowest.Microseconds())/1000, "merci-slowest-ms")
}

// BenchmarkReader60fps runs a Reader on one core over a 60 frames/s stream of 640x480
// frames for two seconds, for Merci's pipeline and for plain gozxing in the same loop,
// and reports the frames decoded per second (the rest were dropped as stale) and the
// share of the core used (CPU seconds per second): below 1, the core keeps up.
func BenchmarkReader60fps(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	frames := cameraFrames(b)
	var merci, plain, merciLoad, plainLoad float64
	for b.Loop() {
		merci, merciLoad = decodedShare(b, frames, nil)
		plain, plainLoad = decodedShare(b, frames, plainLuma)
	}
	b.ReportMetric(60*merci, "merci-decoded-frames/s")
	b.ReportMetric(60*plain, "gozxing-decoded-frames/s")
	b.ReportMetric(merciLoad, "merci-core-load")
	b.ReportMetric(plainLoad, "gozxing-core-load")
}

func plainLuma(g *image.Gray) (string, error) { return plainGozxing(g) }

// decodedShare runs a Reader for two seconds and returns the share of frames it decoded
// and the CPU seconds it used per second.
func decodedShare(tb testing.TB, frames []image.Image, decode func(*image.Gray) (string, error)) (share, load float64) {
	const run = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), run)
	defer cancel()
	cpu := cpuTime()
	r := scanner.Start(ctx, scanner.NewImageSource(frames, time.Second/60, true), scanner.Options{Decode: decode})
	go drain(r)
	<-ctx.Done()
	if err := r.Stop(); err != nil {
		tb.Fatal(err)
	}
	load = (cpuTime() - cpu).Seconds() / run.Seconds()
	got, decoded := r.Stats()
	if got == 0 {
		tb.Fatal("the source gave no frames")
	}
	return float64(decoded) / float64(got), load
}

func drain(r *scanner.Reader) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for range r.Previews() {
		}
	})
	for range r.Events() {
	}
	wg.Wait()
}

// BenchmarkReaderLatency measures, on a 30 frames/s camera-like stream, the time from the
// first frame that holds a card's code to the Reader's event for it, over 20 cards, for
// Merci's pipeline and for plain gozxing in the same Reader.
func BenchmarkReaderLatency(b *testing.B) {
	var merci, plain []time.Duration
	var merciMissed, plainMissed int
	for b.Loop() {
		merci, merciMissed = latencies(b, nil)
		plain, plainMissed = latencies(b, plainLuma)
	}
	b.ReportMetric(float64(merciMissed), "merci-missed")
	b.ReportMetric(float64(plainMissed), "gozxing-missed")
	b.ReportMetric(msQuantile(merci, 0.5), "merci-median-ms")
	b.ReportMetric(msQuantile(merci, 0.95), "merci-p95-ms")
	b.ReportMetric(msQuantile(plain, 0.5), "gozxing-median-ms")
	b.ReportMetric(msQuantile(plain, 0.95), "gozxing-p95-ms")
}

func msQuantile(d []time.Duration, q float64) float64 {
	d = slices.Clone(d)
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return float64(d[int(q*float64(len(d)-1))].Microseconds()) / 1000
}

// latencies shows 20 cards in turn, each after 4 frames without a code and for 6 frames,
// and returns for each card read the time from its first frame to its event, and how
// many cards were never read.
func latencies(tb testing.TB, decode func(*image.Gray) (string, error)) (lat []time.Duration, missed int) {
	const cards, blank, shown = 20, 4, 6
	rng := rand.New(rand.NewPCG(3, 3))
	empty := toYCbCr(clutter(rng, false))
	var frames []image.Image
	var texts []string
	for i := range cards {
		s := scene{
			text:  fmt.Sprintf("https://cards.example.com/c/K7QM2XRT9P6?n=%d", i),
			quad:  rotated(320+float64(i%5)*10, 240, 240, float64(i*17%90)),
			noise: 8, seed: uint64(i),
		}
		texts = append(texts, s.text)
		for range blank {
			frames = append(frames, empty)
		}
		code := render(tb, s)
		for range shown {
			frames = append(frames, code)
		}
	}
	src := &stampedSource{Source: scanner.NewImageSource(frames, time.Second/30, false)}
	r := scanner.Start(context.Background(), src, scanner.Options{Decode: decode})
	defer func() {
		if err := r.Stop(); err != nil {
			tb.Error(err)
		}
	}()
	go func() {
		for range r.Previews() {
		}
	}()
	seen := map[string]time.Time{}
	for ev := range r.Events() {
		seen[ev.Text] = time.Now()
	}
	for i, text := range texts {
		if t, ok := seen[text]; ok {
			lat = append(lat, t.Sub(src.stamp(i*(blank+shown)+blank)))
		} else {
			missed++
		}
	}
	if len(lat) == 0 {
		tb.Fatal("no card was read")
	}
	return lat, missed
}

// stampedSource records when each frame left the source.
type stampedSource struct {
	scanner.Source
	mu    sync.Mutex
	times []time.Time
}

func (s *stampedSource) Next(ctx context.Context) (image.Image, error) {
	img, err := s.Source.Next(ctx)
	s.mu.Lock()
	s.times = append(s.times, time.Now())
	s.mu.Unlock()
	return img, err
}

func (s *stampedSource) stamp(i int) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.times[i]
}
