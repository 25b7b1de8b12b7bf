package scanner_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/driver/availability"
	"github.com/pion/mediadevices/pkg/frame"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"

	"github.com/merci-loyalty/merci/scanner"
)

// fakeCamera is a mediadevices driver serving chosen frames, registered with the same
// manager the system's cameras are: OpenCamera goes through the real driver path.
type fakeCamera struct {
	frames    []image.Image
	unplugAt  int   // Read fails after this many frames (0: never)
	available error // what IsAvailable reports
	openErr   error
	panicAt   int // Read panics after this many frames (0: never)

	mu      sync.Mutex
	opened  bool
	started prop.Media
	n       int
}

func (c *fakeCamera) Open() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.openErr != nil {
		return c.openErr
	}
	c.opened = true
	return nil
}

func (c *fakeCamera) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opened = false
	return nil
}

func (c *fakeCamera) Properties() []prop.Media {
	mode := func(w, h int, f frame.Format, fps float32) prop.Media {
		return prop.Media{Video: prop.Video{Width: w, Height: h, FrameFormat: f, FrameRate: fps}}
	}
	return []prop.Media{
		mode(320, 240, frame.FormatI420, 30),
		mode(640, 480, frame.FormatMJPEG, 30),
		mode(640, 480, frame.FormatYUYV, 30),
		mode(640, 480, frame.FormatYUYV, 15),
		mode(1280, 720, frame.FormatMJPEG, 30),
		mode(640, 480, frame.FormatZ16, 30), // a depth camera's format: unusable
	}
}

func (c *fakeCamera) IsAvailable() (bool, error) { return c.available == nil, c.available }

func (c *fakeCamera) VideoRecord(p prop.Media) (video.Reader, error) {
	c.mu.Lock()
	c.started = p
	c.mu.Unlock()
	return video.ReaderFunc(func() (image.Image, func(), error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.n++
		if c.unplugAt > 0 && c.n > c.unplugAt {
			return nil, func() {}, syscall.ENODEV
		}
		if c.panicAt > 0 && c.n > c.panicAt {
			panic("driver bug")
		}
		time.Sleep(5 * time.Millisecond)
		return c.frames[(c.n-1)%len(c.frames)], func() {}, nil
	}), nil
}

// register adds cam to mediadevices' manager under label for the test's duration and
// returns its id.
func register(t *testing.T, cam *fakeCamera, label string) string {
	t.Helper()
	m := driver.GetManager()
	if err := m.Register(cam, driver.Info{Label: label, DeviceType: driver.Camera}); err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Query(func(d driver.Driver) bool { return d.Info().Label == label }) {
		t.Cleanup(func() { m.Delete(d.ID()) })
		return d.ID()
	}
	t.Fatalf("camera %s not registered", label)
	return ""
}

func TestCameraListOpenAndRead(t *testing.T) {
	card := render(t, scene{text: cardA})
	cam := &fakeCamera{frames: []image.Image{card}}
	id := register(t, cam, "test camera;video9")
	found := false
	for _, c := range scanner.Cameras() {
		if c.ID == id && c.Label == "test camera;video9" {
			found = true
		}
	}
	if !found {
		t.Fatalf("Cameras() = %+v, want it to list %s", scanner.Cameras(), id)
	}

	src, err := scanner.OpenCamera(id, scanner.VGA)
	if err != nil {
		t.Fatalf("OpenCamera: %v", err)
	}
	if got, want := cam.started.FrameFormat, frame.Format(frame.FormatYUYV); got != want || cam.started.FrameRate != 30 {
		t.Errorf("camera started as %s at %v fps, want %s (no JPEG decoding) at 30", got, cam.started.FrameRate, want)
	}
	if got := src.Size(); got != scanner.VGA {
		t.Errorf("Size() = %v, want %v", got, scanner.VGA)
	}
	if _, err := scanner.OpenCamera(id, scanner.VGA); !errors.Is(err, scanner.ErrCameraBusy) {
		t.Errorf("OpenCamera twice: err = %v, want ErrCameraBusy", err)
	}

	r := scanner.Start(context.Background(), src, scanner.Options{})
	go func() {
		for range r.Previews() {
		}
	}()
	select {
	case ev := <-r.Events():
		if ev.Code != "K7QM2XRT9P6" {
			t.Errorf("event = %+v, want card K7QM2XRT9P6", ev)
		}
	case <-time.After(time.Minute): // a failure bound only
		t.Fatal("no card read from the camera within a minute")
	}
	if err := r.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
	cam.mu.Lock()
	defer cam.mu.Unlock()
	if cam.opened {
		t.Error("camera still open after Stop")
	}
	if err := r.Err(); err != nil {
		t.Errorf("Err() after Stop = %v, want nil", err)
	}
}

func TestCameraErrors(t *testing.T) {
	frames := []image.Image{render(t, scene{})}
	busy := register(t, &fakeCamera{frames: frames, available: availability.ErrBusy}, "busy camera")
	busyOpen := register(t, &fakeCamera{frames: frames, openErr: syscall.EBUSY}, "busy on open")
	gone := register(t, &fakeCamera{frames: frames, openErr: syscall.ENOENT}, "gone camera")
	for _, tc := range []struct {
		id   string
		want error
	}{
		{busy, scanner.ErrCameraBusy},
		{busyOpen, scanner.ErrCameraBusy},
		{gone, scanner.ErrNoCamera},
		{"no-such-id", scanner.ErrNoCamera},
	} {
		if _, err := scanner.OpenCamera(tc.id, scanner.HD); !errors.Is(err, tc.want) {
			t.Errorf("OpenCamera(%s) err = %v, want %v", tc.id, err, tc.want)
		}
	}
}

func TestCameraUnpluggedMidStream(t *testing.T) {
	for i, cam := range []*fakeCamera{
		{unplugAt: 3},
		{panicAt: 3},
	} {
		cam.frames = []image.Image{render(t, scene{})}
		src, err := scanner.OpenCamera(register(t, cam, fmt.Sprintf("flaky camera %d", i)), scanner.VGA)
		if err != nil {
			t.Fatal(err)
		}
		r := scanner.Start(context.Background(), src, scanner.Options{})
		drain(r)
		if err := r.Err(); !errors.Is(err, scanner.ErrCameraLost) {
			t.Errorf("Err() after the camera failed = %v, want ErrCameraLost", err)
		}
		if err := r.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		if _, err := src.Next(context.Background()); err != io.EOF {
			t.Errorf("Next after Close = %v, want io.EOF", err)
		}
	}
}
