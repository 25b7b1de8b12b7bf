package scanner

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"slices"
	"sort"
	"sync/atomic"
	"syscall"

	"github.com/pion/mediadevices/pkg/driver"
	"github.com/pion/mediadevices/pkg/driver/availability"
	_ "github.com/pion/mediadevices/pkg/driver/camera" // registers the system's cameras (needs cgo on Linux)
	"github.com/pion/mediadevices/pkg/frame"
	"github.com/pion/mediadevices/pkg/io/video"
	"github.com/pion/mediadevices/pkg/prop"
)

// Camera errors, for the counter screen to explain.
var (
	// ErrNoCamera means there is no such camera: none plugged in, unplugged since the list
	// was made, or a build without camera support (cgo off).
	ErrNoCamera = errors.New("no camera found")
	// ErrCameraBusy means the camera is in use, by another program or another scanner.
	ErrCameraBusy = errors.New("camera is in use by another program")
	// ErrCameraLost means the camera stopped sending frames mid-stream, most often
	// because it was unplugged.
	ErrCameraLost = errors.New("camera stopped sending pictures (unplugged?)")
)

// Common camera frame sizes. 640x480 is plenty for a card held up to the counter camera.
var (
	VGA = image.Pt(640, 480)
	HD  = image.Pt(1280, 720)
)

// formats lists the frame formats the scanner takes, cheapest to turn into *image.YCbCr
// first; wantFPS is the frame rate asked for.
var formats = []frame.Format{frame.FormatI420, frame.FormatNV12, frame.FormatNV21, frame.FormatYUYV,
	frame.FormatYUY2, frame.FormatUYVY, frame.FormatMJPEG}

const wantFPS = 30

// CameraInfo names a camera for a settings list.
type CameraInfo struct {
	ID    string // pass to OpenCamera; valid while the program runs
	Label string // for people: the device's name or path
}

// Cameras lists the cameras found when the program started, sorted by label.
func Cameras() []CameraInfo {
	var list []CameraInfo
	for _, d := range videoDrivers() {
		list = append(list, CameraInfo{ID: d.ID(), Label: d.Info().Label})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Label < list[j].Label })
	return list
}

func videoDrivers() []driver.Driver {
	return driver.GetManager().Query(driver.FilterAnd(
		driver.FilterVideoRecorder(),
		driver.FilterNot(driver.FilterDeviceType(driver.Screen))))
}

// CameraSource is a Source reading a camera through mediadevices. Next must not be called
// from two goroutines at once; Close may be called while Next waits.
type CameraSource struct {
	d       driver.Driver
	r       video.Reader
	size    image.Point
	release func()
	closed  atomic.Bool
}

// OpenCamera opens the camera with the given id (from Cameras; "" for the first one) at
// the frame size nearest to size, VGA or HD. Errors wrap ErrNoCamera or ErrCameraBusy.
func OpenCamera(id string, size image.Point) (*CameraSource, error) {
	var d driver.Driver
	for _, c := range videoDrivers() {
		if id == "" || c.ID() == id {
			d = c
			break
		}
	}
	if d == nil {
		if id == "" {
			return nil, fmt.Errorf("open camera: %w", ErrNoCamera)
		}
		return nil, fmt.Errorf("open camera %s: %w", id, ErrNoCamera)
	}
	label := d.Info().Label
	if _, err := driver.IsAvailable(d); err != nil && !errors.Is(err, availability.ErrUnimplemented) {
		return nil, fmt.Errorf("open camera %s: %w", label, cameraError(err))
	}
	if d.Status() != driver.StateClosed {
		return nil, fmt.Errorf("open camera %s: %w", label, ErrCameraBusy)
	}
	if err := d.Open(); err != nil {
		return nil, fmt.Errorf("open camera %s: %w", label, cameraError(err))
	}
	p, ok := bestProp(d.Properties(), size)
	if !ok {
		d.Close()
		return nil, fmt.Errorf("open camera %s: it offers no picture format the scanner reads", label)
	}
	r, err := d.(driver.VideoRecorder).VideoRecord(p) // closes d on failure
	if err != nil {
		return nil, fmt.Errorf("start camera %s at %dx%d: %w", label, p.Width, p.Height, cameraError(err))
	}
	return &CameraSource{d: d, r: r, size: image.Pt(p.Width, p.Height)}, nil
}

// cameraError maps what the driver reports onto the camera errors where one fits.
func cameraError(err error) error {
	var errno syscall.Errno
	switch {
	case errors.Is(err, availability.ErrBusy), errors.As(err, &errno) && errno == syscall.EBUSY:
		return fmt.Errorf("%w (%v)", ErrCameraBusy, err)
	case errors.Is(err, availability.ErrNoDevice), errors.As(err, &errno) && (errno == syscall.ENODEV || errno == syscall.ENOENT):
		return fmt.Errorf("%w (%v)", ErrNoCamera, err)
	}
	return err
}

// bestProp picks the mode nearest to size, then the one easiest to decode, then the one
// nearest 30 frames/s.
func bestProp(props []prop.Media, size image.Point) (prop.Media, bool) {
	rank := func(p prop.Media) (float64, int, float64) {
		dist := math.Abs(float64(p.Width*p.Height - size.X*size.Y))
		return dist, slices.Index(formats, p.FrameFormat), math.Abs(float64(p.FrameRate) - wantFPS)
	}
	var best prop.Media
	found := false
	for _, p := range props {
		if slices.Index(formats, p.FrameFormat) < 0 {
			continue
		}
		if !found {
			best, found = p, true
			continue
		}
		d1, f1, r1 := rank(p)
		d0, f0, r0 := rank(best)
		if d1 < d0 || d1 == d0 && (f1 < f0 || f1 == f0 && r1 < r0) {
			best = p
		}
	}
	return best, found
}

// Size returns the frame size the camera delivers.
func (c *CameraSource) Size() image.Point { return c.size }

// Next returns the next camera frame, an *image.YCbCr. An unplugged camera gives an error
// wrapping ErrCameraLost; a closed one io.EOF.
func (c *CameraSource) Next(ctx context.Context) (img image.Image, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if c.closed.Load() {
		return nil, io.EOF
	}
	if c.release != nil {
		c.release()
		c.release = nil
	}
	defer func() {
		// A driver fault must end the stream with an error, not the program.
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("%w: %v", ErrCameraLost, p)
		}
	}()
	img, release, err := c.r.Read()
	switch {
	case c.closed.Load():
		return nil, io.EOF
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrCameraLost, err)
	}
	c.release = release
	return img, nil
}

// Close stops the camera; a Next waiting for a frame returns io.EOF. It is safe to call
// more than once.
func (c *CameraSource) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	if err := c.d.Close(); err != nil {
		return fmt.Errorf("close camera %s: %w", c.d.Info().Label, err)
	}
	return nil
}
