// Package scanner reads Merci cards' QR codes from a webcam, image files or folders of
// frames.
//
// A Source delivers frames; a Decoder finds the QR code in one frame; a Reader runs a
// Source and a Decoder on goroutines of their own, always decoding the newest frame,
// and reports each card once while it stays in view. ScanFiles backs `merci scan`.
package scanner

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // frames and photos come as JPEG
	_ "image/png"  // and as PNG
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Source delivers frames, from a camera or from files.
type Source interface {
	// Next blocks until the next frame and returns it. The frame belongs to the source and
	// stays valid only until the next call to Next or Close. Cameras give *image.YCbCr.
	// At the end of a finite source Next returns io.EOF.
	Next(ctx context.Context) (image.Image, error)
	// Close releases the source; a Next blocked in another goroutine returns.
	Close() error
}

// frameSource plays a fixed number of frames, optionally at a set pace and in a loop.
type frameSource struct {
	n        int
	frame    func(i int) (image.Image, error)
	interval time.Duration
	loop     bool

	i         int
	due       time.Time
	done      chan struct{}
	closeOnce sync.Once
}

// NewImageSource returns a Source that plays frames in order, one every interval (zero: as
// fast as they are asked for), from the start again after the last if loop is set.
// Synthetic camera streams in tests and demos are made this way.
func NewImageSource(frames []image.Image, interval time.Duration, loop bool) Source {
	return newFrameSource(len(frames), func(i int) (image.Image, error) { return frames[i], nil }, interval, loop)
}

// OpenFiles returns a Source that plays the image files (PNG or JPEG) at paths like
// NewImageSource does. Each file is read when its turn comes.
func OpenFiles(paths []string, interval time.Duration, loop bool) (Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("open frames: no image files given")
	}
	paths = slices.Clone(paths)
	return newFrameSource(len(paths), func(i int) (image.Image, error) { return ReadImage(paths[i]) }, interval, loop), nil
}

// OpenFolder returns a Source that plays the PNG and JPEG files in dir in name order, like
// OpenFiles: a recorded camera session for demos and for support.
func OpenFolder(dir string, interval time.Duration, loop bool) (Source, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("open frames folder: %w", err)
	}
	var paths []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".png", ".jpg", ".jpeg":
			if !e.IsDir() {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("open frames folder %s: no PNG or JPEG files in it", dir)
	}
	return OpenFiles(paths, interval, loop)
}

// ReadImage decodes the PNG or JPEG file at path.
func ReadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read image: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("read image %s: not a PNG or JPEG picture (%w)", path, err)
	}
	return img, nil
}

func newFrameSource(n int, frame func(int) (image.Image, error), interval time.Duration, loop bool) *frameSource {
	return &frameSource{n: n, frame: frame, interval: interval, loop: loop, done: make(chan struct{})}
}

func (s *frameSource) Next(ctx context.Context) (image.Image, error) {
	if s.i == s.n {
		if !s.loop {
			return nil, io.EOF
		}
		s.i = 0
	}
	if s.interval > 0 {
		now := time.Now()
		if s.due.IsZero() {
			s.due = now
		}
		if wait := s.due.Sub(now); wait > 0 {
			t := time.NewTimer(wait)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-s.done:
				return nil, io.EOF
			}
		}
		s.due = s.due.Add(s.interval)
	}
	select {
	case <-s.done:
		return nil, io.EOF
	default:
	}
	img, err := s.frame(s.i)
	s.i++
	return img, err
}

func (s *frameSource) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	return nil
}
