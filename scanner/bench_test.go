package scanner_test

import (
	"fmt"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/merci-loyalty/merci/scanner"
)

// benchDir holds real photographs of QR codes with their expected text: ../shared/qr-bench
// from the project root (see its README for other decoders' scores).
const benchDir = "../../shared/qr-bench"

type benchImage struct {
	folder string
	turns  [4]image.Image // the photograph turned 0, 90, 180 and 270 degrees
	want   string
}

var bench struct {
	once   sync.Once
	images []benchImage
	err    error
}

func loadBench(tb testing.TB) []benchImage {
	tb.Helper()
	if _, err := os.Stat(benchDir); err != nil {
		tb.Skipf("no benchmark photographs: %v", err)
	}
	bench.once.Do(func() { bench.images, bench.err = readBench() })
	if bench.err != nil {
		tb.Fatal(bench.err)
	}
	return bench.images
}

func readBench() ([]benchImage, error) {
	files, err := filepath.Glob(filepath.Join(benchDir, "qrcode-*", "*.png"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no photographs in %s (%v)", benchDir, err)
	}
	var out []benchImage
	for _, f := range files {
		img, err := scanner.ReadImage(f)
		if err != nil {
			return nil, err
		}
		want, err := os.ReadFile(strings.TrimSuffix(f, ".png") + ".txt")
		if err != nil {
			return nil, fmt.Errorf("expected text: %w", err)
		}
		b := benchImage{folder: filepath.Base(filepath.Dir(f)), want: string(want)}
		b.turns[0] = img
		for k := 1; k < 4; k++ {
			b.turns[k] = turn(b.turns[k-1])
		}
		out = append(out, b)
	}
	return out, nil
}

// turn returns img turned a quarter turn clockwise, as ZXing's own suite turns them.
func turn(img image.Image) image.Image {
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Rect, img, b.Min, draw.Src)
	dst := image.NewRGBA(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			copy(dst.Pix[dst.PixOffset(b.Dy()-1-y, x):][:4], src.Pix[src.PixOffset(x, y):])
		}
	}
	return dst
}

// plainGozxing is how gozxing's README reads a QR code: the generic image path, the
// hybrid binarizer, the QR reader, no hints.
func plainGozxing(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

type score struct {
	upright, all, wrong int
	perFolder           map[string]int // upright decodes per folder
	ms                  []float64      // per decode, image.Image to text
}

func (s score) quantile(q float64) float64 {
	ms := slices.Clone(s.ms)
	sort.Float64s(ms)
	return ms[int(q*float64(len(ms)-1))]
}

func runBench(images []benchImage, decode func(image.Image) (string, error)) score {
	s := score{perFolder: map[string]int{}}
	for _, b := range images {
		for k, img := range b.turns {
			start := time.Now()
			text, err := decode(img)
			s.ms = append(s.ms, float64(time.Since(start).Nanoseconds())/1e6)
			switch {
			case err != nil:
			case text != b.want:
				s.wrong++
			default:
				s.all++
				if k == 0 {
					s.upright++
					s.perFolder[b.folder]++
				}
			}
		}
	}
	return s
}

// TestBenchPhotographs checks on real photographs that Merci's pipeline reads at least
// what plain gozxing reads, more than the best decoder in the bench's README (165 of 179
// upright, 660 of 716 turned), and never a wrong text.
func TestBenchPhotographs(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 716 photographs twice")
	}
	if raceDetector {
		t.Skip("reads 716 photographs twice: make test runs it without the race detector")
	}
	images := loadBench(t)
	merci := runBench(images, scanner.NewDecoder(0).Decode)
	plain := runBench(images, plainGozxing)
	for _, f := range []string{"qrcode-1", "qrcode-2", "qrcode-3", "qrcode-4", "qrcode-5", "qrcode-6"} {
		t.Logf("%s: merci %d, gozxing %d", f, merci.perFolder[f], plain.perFolder[f])
	}
	t.Logf("upright: merci %d, gozxing %d of %d; turned: merci %d, gozxing %d of %d",
		merci.upright, plain.upright, len(images), merci.all, plain.all, 4*len(images))
	if merci.wrong != 0 {
		t.Errorf("merci read %d wrong texts, want 0", merci.wrong)
	}
	if merci.upright < plain.upright || merci.all < plain.all {
		t.Errorf("merci read %d upright, %d turned; gozxing %d, %d: want at least as many",
			merci.upright, merci.all, plain.upright, plain.all)
	}
	if merci.upright <= 165 || merci.all <= 660 {
		t.Errorf("merci read %d upright, %d turned; want more than 165 and 660", merci.upright, merci.all)
	}
}

// BenchmarkQRBench decodes every photograph at every quarter turn with plain gozxing
// and with Merci's pipeline, and reports counts and milliseconds per decode of both.
func BenchmarkQRBench(b *testing.B) {
	images := loadBench(b)
	dec := scanner.NewDecoder(0)
	var merci, plain score
	for b.Loop() {
		merci = runBench(images, dec.Decode)
		plain = runBench(images, plainGozxing)
	}
	b.ReportMetric(float64(merci.upright), "merci-0deg")
	b.ReportMetric(float64(plain.upright), "gozxing-0deg")
	b.ReportMetric(float64(merci.all), "merci-all")
	b.ReportMetric(float64(plain.all), "gozxing-all")
	b.ReportMetric(float64(merci.wrong), "merci-wrong")
	b.ReportMetric(merci.quantile(0.5), "merci-median-ms")
	b.ReportMetric(plain.quantile(0.5), "gozxing-median-ms")
	b.ReportMetric(merci.quantile(0.95), "merci-p95-ms")
	b.ReportMetric(plain.quantile(0.95), "gozxing-p95-ms")
	b.ReportMetric(plain.quantile(0.5)/merci.quantile(0.5), "median-speedup")
}
