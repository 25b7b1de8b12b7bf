package scanner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/merci-loyalty/merci/scanner"
)

// scanDir writes the files ScanFiles is tested on and returns their paths: a card as
// PNG, someone else's QR code as JPEG, a photo without a code, a broken file and one
// that does not exist.
func scanDir(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, img image.Image) string {
		path := filepath.Join(dir, name)
		var buf bytes.Buffer
		var err error
		if strings.HasSuffix(name, ".jpg") {
			err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
		} else {
			err = png.Encode(&buf, img)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	broken := filepath.Join(dir, "broken.png")
	if err := os.WriteFile(broken, []byte("not a picture"), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{
		write("card.png", render(t, scene{text: cardA, quad: rotated(320, 240, 240, 30)})),
		write("menu.jpg", render(t, scene{text: "https://example.com/menu", noise: 5})),
		write("empty.png", render(t, scene{})),
		broken,
		filepath.Join(dir, "missing.png"),
	}
}

func TestScanFilesText(t *testing.T) {
	files := scanDir(t)
	var out bytes.Buffer
	err := scanner.ScanFiles(context.Background(), &out, files, false)
	if err == nil || !strings.Contains(err.Error(), "2 of 5 files") {
		t.Errorf("ScanFiles err = %v, want one saying 2 of 5 files could not be read", err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		files[0] + `: "` + cardA + `" (Merci card K7QM-2XRT-9P6)`,
		files[1] + `: "https://example.com/menu" (not a Merci card)`,
		files[2] + ": no QR code found",
		files[3] + ": error: read image " + files[3] + ": not a PNG or JPEG picture",
		files[4] + ": error: read image: open " + files[4],
	}
	if len(lines) != len(want) {
		t.Fatalf("ScanFiles wrote %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d = %q, want it to start with %q", i, lines[i], want[i])
		}
	}
}

func TestScanFilesJSON(t *testing.T) {
	files := scanDir(t)
	var out bytes.Buffer
	_ = scanner.ScanFiles(context.Background(), &out, files, true) // the error is TestScanFilesText's business
	var got []scanner.FileResult
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r scanner.FileResult
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("output is not one JSON object per file: %v", err)
		}
		if r.Error != "" {
			r.Error = "set"
		}
		got = append(got, r)
	}
	want := []scanner.FileResult{
		{File: files[0], Codes: []string{cardA}},
		{File: files[1], Codes: []string{"https://example.com/menu"}},
		{File: files[2], Codes: []string{}},
		{File: files[3], Codes: []string{}, Error: "set"},
		{File: files[4], Codes: []string{}, Error: "set"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ScanFiles JSON (-want +got):\n%s", diff)
	}
	if strings.Contains(out.String(), `"codes":null`) {
		t.Errorf("codes must be [] when empty, not null")
	}
}

func TestScanFilesStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if err := scanner.ScanFiles(ctx, &out, []string{"a.png"}, false); err != context.Canceled {
		t.Errorf("ScanFiles(cancelled) err = %v, want context.Canceled", err)
	}
}

func TestFolderSource(t *testing.T) {
	files := scanDir(t)
	dir := filepath.Dir(files[0])
	if err := os.Remove(files[3]); err != nil { // the broken file would end the stream
		t.Fatal(err)
	}
	src, err := scanner.OpenFolder(dir, time.Millisecond, false)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var sizes []image.Point
	for {
		img, err := src.Next(context.Background())
		if err != nil {
			break
		}
		sizes = append(sizes, img.Bounds().Size())
	}
	// card.png, empty.png and menu.jpg, in name order.
	if diff := cmp.Diff([]image.Point{{640, 480}, {640, 480}, {640, 480}}, sizes); diff != "" {
		t.Errorf("frames (-want +got):\n%s", diff)
	}
	if _, err := scanner.OpenFolder(t.TempDir(), 0, false); err == nil || !strings.Contains(err.Error(), "no PNG or JPEG") {
		t.Errorf("OpenFolder(empty) err = %v, want one saying there are no pictures", err)
	}
}

// TestScanFilesSheet reads a printed sheet of cards: every code on it is listed.
func TestScanFilesSheet(t *testing.T) {
	sheet := image.NewGray(image.Rect(0, 0, 900, 700))
	for i := range sheet.Pix {
		sheet.Pix[i] = 235
	}
	want := []string{cardA, cardB, "https://cards.example.com/c/K7QM2XRT9P6?copy=2"}
	for i, text := range want {
		q, err := qrcode.New(text, qrcode.Medium)
		if err != nil {
			t.Fatal(err)
		}
		at := image.Pt(40+i*290, 120+(i%2)*220)
		draw.Draw(sheet, image.Rectangle{at, at.Add(image.Pt(250, 250))}, q.Image(250), image.Point{}, draw.Src)
	}
	path := filepath.Join(t.TempDir(), "sheet.png")
	var buf bytes.Buffer
	if err := png.Encode(&buf, sheet); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := scanner.ScanFiles(context.Background(), &out, []string{path}, true); err != nil {
		t.Fatalf("ScanFiles: %v", err)
	}
	var got scanner.FileResult
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if diff := cmp.Diff(want, got.Codes, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("codes on the sheet (-want +got):\n%s", diff)
	}
}
