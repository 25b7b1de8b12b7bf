package scanner_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/merci-loyalty/merci/scanner"
	"github.com/merci-loyalty/merci/scanner/camsim"
)

// simFrames renders frames 0..n-1 of seed on every core.
func simFrames(n int, seed uint64) []camsim.Frame {
	frames := make([]camsim.Frame, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.NumCPU() {
		wg.Go(func() {
			for i := range next {
				frames[i] = camsim.Generate(seed, i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return frames
}

// reading is what one decoder made of one frame.
type reading struct {
	texts []string
	ms    float64
}

// verdict classes a reading against the codes in view.
func verdict(f camsim.Frame, r reading) (read, wrong bool) {
	for _, t := range r.texts {
		if slices.Contains(f.Codes, t) {
			read = true
		} else {
			wrong = true
		}
	}
	return read, wrong
}

// decoderRun is one decoder's readings of a frame set, or why it could not run.
type decoderRun struct {
	name     string
	readings []reading
	skipped  string
}

func runGo(name string, frames []camsim.Frame, decode func(*image.Gray) (string, error)) decoderRun {
	run := decoderRun{name: name}
	for _, f := range frames {
		start := cpuTime() // CPU time: other programs on a shared machine do not inflate it
		text, err := decode(f.Image)
		r := reading{ms: float64((cpuTime() - start).Nanoseconds()) / 1e6}
		if err == nil {
			r.texts = []string{text}
		}
		run.readings = append(run.readings, r)
	}
	return run
}

// writeFrames saves the frames as PGM files, the one format every baseline reads, and
// returns their paths.
func writeFrames(tb testing.TB, frames []camsim.Frame) []string {
	dir := tb.TempDir()
	var paths []string
	for i, f := range frames {
		var buf bytes.Buffer
		b := f.Image.Rect
		fmt.Fprintf(&buf, "P5\n%d %d\n255\n", b.Dx(), b.Dy())
		for y := range b.Dy() {
			buf.Write(f.Image.Pix[y*f.Image.Stride : y*f.Image.Stride+b.Dx()])
		}
		p := filepath.Join(dir, fmt.Sprintf("%04d.pgm", i))
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			tb.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// runZbar decodes the frames with zbarimg (Debian's zbar-tools) in one process; its time
// per frame is the process's wall time shared out, start-up included.
func runZbar(paths []string) decoderRun {
	run := decoderRun{name: "zbar 0.23"}
	if _, err := exec.LookPath("zbarimg"); err != nil {
		run.skipped = "zbarimg not installed (apt-get install zbar-tools)"
		return run
	}
	start := time.Now()
	out, err := exec.Command("zbarimg", append([]string{"--xml", "-q", "-Sdisable", "-Sqrcode.enable"}, paths...)...).Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 4) { // 4: some frame had no code
		run.skipped = fmt.Sprintf("zbarimg failed: %v", err)
		return run
	}
	ms := float64(time.Since(start).Nanoseconds()) / 1e6 / float64(len(paths))
	var doc struct {
		Sources []struct {
			Href    string `xml:"href,attr"`
			Symbols []struct {
				Data string `xml:"data"`
			} `xml:"index>symbol"`
		} `xml:"source"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		run.skipped = fmt.Sprintf("zbarimg output: %v", err)
		return run
	}
	byPath := map[string][]string{}
	for _, s := range doc.Sources {
		for _, sym := range s.Symbols {
			byPath[s.Href] = append(byPath[s.Href], sym.Data)
		}
	}
	for _, p := range paths {
		run.readings = append(run.readings, reading{texts: byPath[p], ms: ms})
	}
	return run
}

// runLines feeds the frame paths to a baseline script that answers one JSON line each.
func runLines(name string, paths []string, cmd *exec.Cmd) decoderRun {
	run := decoderRun{name: name}
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		run.skipped = fmt.Sprintf("%v: %s", err, strings.TrimSpace(stderr.String()))
		return run
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct {
			Texts []string
			MS    float64
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			run.skipped = fmt.Sprintf("output %q: %v", sc.Text(), err)
			return run
		}
		run.readings = append(run.readings, reading{texts: r.Texts, ms: r.MS})
	}
	if len(run.readings) != len(paths) {
		run.skipped = fmt.Sprintf("%d answers for %d frames", len(run.readings), len(paths))
	}
	return run
}

// runZXingCpp14 decodes with Debian's python3-zxing-cpp (zxing-cpp 1.4), in-process timing.
func runZXingCpp14(paths []string) decoderRun {
	// Debian's module is installed for Debian's python, not for another one on PATH.
	return runLines("zxing-cpp 1.4", paths, exec.Command("/usr/bin/python3", "-B", "testdata/baselines/zxingcpp14.py"))
}

// zxingWasmVersion is the zxing-wasm build of zxing-cpp 2.x the benchmark compares with.
const zxingWasmVersion = "3.1.4"

// runZXingWasm decodes with zxing-cpp 2.x built to WebAssembly (npm's zxing-wasm) under
// node, installing it into the user's cache directory the first time.
func runZXingWasm(paths []string) decoderRun {
	name := "zxing-cpp 2.x (wasm)"
	if _, err := exec.LookPath("node"); err != nil {
		return decoderRun{name: name, skipped: "node not installed"}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return decoderRun{name: name, skipped: err.Error()}
	}
	dir := filepath.Join(cache, "merci", "zxing-wasm-"+zxingWasmVersion)
	modules := filepath.Join(dir, "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "zxing-wasm", "package.json")); err != nil {
		install := exec.Command("npm", "install", "--no-audit", "--no-fund", "--prefix", dir, "zxing-wasm@"+zxingWasmVersion)
		if out, err := install.CombinedOutput(); err != nil {
			return decoderRun{name: name, skipped: fmt.Sprintf("npm could not install zxing-wasm (offline?): %v: %s", err, lastLine(out))}
		}
	}
	return runLines(name, paths, exec.Command("node", "testdata/baselines/zxingwasm.mjs", modules))
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}

// condition groups frames for the report.
type condition struct {
	name string
	in   func(camsim.Setup) bool
}

var conditions = []condition{
	{"all frames with a code", func(s camsim.Setup) bool { return s.Codes > 0 }},
	{"module < 2 px", func(s camsim.Setup) bool { return s.Codes > 0 && s.ModulePx < 2 }},
	{"module 2-3 px", func(s camsim.Setup) bool { return s.Codes > 0 && s.ModulePx >= 2 && s.ModulePx < 3 }},
	{"module 3-4.5 px", func(s camsim.Setup) bool { return s.Codes > 0 && s.ModulePx >= 3 && s.ModulePx < 4.5 }},
	{"close-up (module >= 4.5 px)", func(s camsim.Setup) bool { return s.Codes > 0 && s.ModulePx >= 4.5 }},
	{"tilt < 20°", func(s camsim.Setup) bool { return s.Codes > 0 && s.Tilt < 20 }},
	{"tilt 20-35°", func(s camsim.Setup) bool { return s.Codes > 0 && s.Tilt >= 20 && s.Tilt < 35 }},
	{"tilt 35-45°", func(s camsim.Setup) bool { return s.Codes > 0 && s.Tilt >= 35 }},
	{"sharp (blur < 1 px)", func(s camsim.Setup) bool { return s.Codes > 0 && s.DefocusPx < 1 && s.MotionPx < 1 }},
	{"defocus >= 1 px", func(s camsim.Setup) bool { return s.Codes > 0 && s.DefocusPx >= 1 }},
	{"motion >= 1 px", func(s camsim.Setup) bool { return s.Codes > 0 && s.MotionPx >= 1 }},
	{"glare on the code", func(s camsim.Setup) bool { return s.Codes > 0 && s.Glare }},
	{"low light", func(s camsim.Setup) bool { return s.Codes > 0 && s.Light == camsim.Low }},
	{"matte card", func(s camsim.Setup) bool { return s.Codes > 0 && s.Surface == camsim.Matte }},
	{"glossy card", func(s camsim.Setup) bool { return s.Codes > 0 && s.Surface == camsim.Glossy }},
	{"phone", func(s camsim.Setup) bool { return s.Codes > 0 && s.Surface == camsim.Screen }},
	{"phone dark mode", func(s camsim.Setup) bool { return s.Codes > 0 && s.Surface == camsim.DarkScreen }},
	{"1080p", func(s camsim.Setup) bool { return s.Codes > 0 && s.Size.X == 1920 }},
	{"two codes", func(s camsim.Setup) bool { return s.Codes == 2 }},
}

// tally counts a decoder's frames read, misreads (a text not in view) and codes reported
// in frames without one, over the frames a condition selects.
func tally(frames []camsim.Frame, run decoderRun, in func(camsim.Setup) bool) (n, read, wrong, phantom int) {
	for i, f := range frames {
		if !in(f.Setup) {
			continue
		}
		n++
		ok, bad := verdict(f, run.readings[i])
		if ok {
			read++
		}
		if bad && f.Setup.Codes > 0 {
			wrong++
		}
		if bad && f.Setup.Codes == 0 {
			phantom++
		}
	}
	return
}

func quantileMS(run decoderRun, frames []camsim.Frame, q float64, in func(camsim.Setup) bool) float64 {
	var ms []float64
	for i, r := range run.readings {
		if in(frames[i].Setup) {
			ms = append(ms, r.ms)
		}
	}
	if len(ms) == 0 {
		return 0
	}
	sort.Float64s(ms)
	return ms[int(q*float64(len(ms)-1))]
}

// report writes the table of read rates by condition, one column per decoder.
func report(frames []camsim.Frame, runs []decoderRun) string {
	var b strings.Builder
	var ran []decoderRun
	for _, r := range runs {
		if r.skipped != "" {
			fmt.Fprintf(&b, "skipped %s: %s\n", r.name, r.skipped)
			continue
		}
		ran = append(ran, r)
	}
	b.WriteString("| condition | frames |")
	for _, r := range ran {
		fmt.Fprintf(&b, " %s |", r.name)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(ran)) + "\n")
	for _, c := range conditions {
		n, _, _, _ := tally(frames, ran[0], c.in)
		if n == 0 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d |", c.name, n)
		for _, r := range ran {
			_, read, _, _ := tally(frames, r, c.in)
			fmt.Fprintf(&b, " %d (%.0f%%) |", read, 100*float64(read)/float64(n))
		}
		b.WriteString("\n")
	}
	all := func(camsim.Setup) bool { return true }
	for _, row := range []struct {
		name string
		val  func(decoderRun) string
	}{
		{"misreads (a text not in view)", func(r decoderRun) string { _, _, w, _ := tally(frames, r, all); return fmt.Sprint(w) }},
		{"codes in frames without one", func(r decoderRun) string { _, _, _, p := tally(frames, r, all); return fmt.Sprint(p) }},
		{"median ms per 720p frame", func(r decoderRun) string {
			return fmt.Sprintf("%.1f", quantileMS(r, frames, 0.5, func(s camsim.Setup) bool { return s.Size.X == 1280 }))
		}},
		{"p95 ms per 720p frame", func(r decoderRun) string {
			return fmt.Sprintf("%.1f", quantileMS(r, frames, 0.95, func(s camsim.Setup) bool { return s.Size.X == 1280 }))
		}},
	} {
		fmt.Fprintf(&b, "| %s | |", row.name)
		for _, r := range ran {
			fmt.Fprintf(&b, " %s |", row.val(r))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestSimulatedFramesVsZbar checks on a fixed set of simulated counter-webcam frames that
// Merci's scanner reads at least as many as zbar, never a text that is not in view, and
// no code in the frames without one.
func TestSimulatedFramesVsZbar(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("renders and decodes 60 HD frames: make test runs it without the race detector")
	}
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Skip("zbarimg not installed: make test-deps installs zbar-tools")
	}
	frames := simFrames(60, 1)
	merci := runGo("merci", frames, scanner.NewDecoder(0).DecodeLuma)
	zbar := runZbar(writeFrames(t, frames))
	if zbar.skipped != "" {
		t.Fatal(zbar.skipped)
	}
	t.Log("\n" + report(frames, []decoderRun{merci, zbar}))
	all := func(camsim.Setup) bool { return true }
	_, ours, wrong, phantom := tally(frames, merci, all)
	_, theirs, _, _ := tally(frames, zbar, all)
	if ours < theirs {
		t.Errorf("merci read %d frames, zbar %d: want at least as many", ours, theirs)
	}
	if wrong != 0 || phantom != 0 {
		t.Errorf("merci misread %d frames and saw a code in %d frames without one, want 0 and 0", wrong, phantom)
	}
}

// BenchmarkSimulatedFrames decodes 120 simulated counter-webcam frames with Merci's
// scanner at the camera's budget, without a budget (as `merci scan` does), with plain
// gozxing, zbar, zxing-cpp 1.4 and zxing-cpp 2.x, and prints read rates by condition and
// milliseconds per frame (CPU time for the Go decoders, which run on one core; wall time
// for the others).
func BenchmarkSimulatedFrames(b *testing.B) {
	frames := simFrames(120, 7)
	paths := writeFrames(b, frames)
	var runs []decoderRun
	for b.Loop() {
		prev := runtime.GOMAXPROCS(1)
		runs = []decoderRun{
			runGo("merci (camera budget)", frames, scanner.NewDecoder(scanner.DefaultBudget).DecodeLuma),
			runGo("merci (files)", frames, scanner.NewDecoder(0).DecodeLuma),
			runGo("gozxing", frames, plainLuma),
		}
		runtime.GOMAXPROCS(prev)
		runs = append(runs, runZbar(paths), runZXingCpp14(paths), runZXingWasm(paths))
	}
	fmt.Println(report(frames, runs)) // b.Log would truncate the table
	hd := func(s camsim.Setup) bool { return s.Size.X == 1280 }
	b.ReportMetric(quantileMS(runs[0], frames, 0.5, hd), "merci-median-ms/720p")
	b.ReportMetric(quantileMS(runs[0], frames, 0.95, hd), "merci-p95-ms/720p")
	b.ReportMetric(quantileMS(runs[0], frames, 0.5, hd)/quantileMS(runs[2], frames, 0.5, hd), "median-vs-gozxing")
}
