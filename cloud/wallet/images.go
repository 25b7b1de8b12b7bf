package wallet

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/png"
	"sync"

	"golang.org/x/image/draw"

	"github.com/merci-loyalty/merci/assets"
)

// imageNames are a pass's images, at Wallet's three pixel densities.
var imageNames = []string{"icon.png", "icon@2x.png", "icon@3x.png", "logo.png", "logo@2x.png", "logo@3x.png"}

// maxLogoSide bounds the logo a pass is drawn from: the app pushes at most 512 pixels a
// side, and a larger PNG pushed by a hostile device would make a pass request decode it
// (4 MiB of pixels at this bound, 64 MiB at 4096).
const maxLogoSide = 1024

// imageCache keeps the images drawn from the latest logos, by their SHA-256: drawing
// them costs over ten times more than signing a pass (BenchmarkPassImages against
// BenchmarkApplePass), and a shop's logo rarely changes.
type imageCache struct {
	mu sync.Mutex
	m  map[[sha256.Size]byte]map[string][]byte
}

// maxCachedLogos bounds the cache to about 4 MB: a logo's images take about 16 KB.
const maxCachedLogos = 256

// get returns the images of logo, drawn once; the caller must not change them.
func (c *imageCache) get(logo []byte) (map[string][]byte, error) {
	key := sha256.Sum256(logo)
	c.mu.Lock()
	files, ok := c.m[key]
	c.mu.Unlock()
	if ok {
		return files, nil
	}
	files, err := passImages(logo)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[[sha256.Size]byte]map[string][]byte)
	}
	for k := range c.m {
		if len(c.m) < maxCachedLogos {
			break
		}
		delete(c.m, k) // any: a logo dropped is drawn again when asked
	}
	c.m[key] = files
	return files, nil
}

// passImages draws a pass's icons (a square, 29 points) and logos (at most 160×50
// points) from logo, a PNG, or from Merci's icon when the shop has none or it is
// unreadable: a pass without an icon does not install.
func passImages(logo []byte) (map[string][]byte, error) {
	img := decodeLogo(logo)
	if img == nil {
		var err error
		if img, err = png.Decode(bytes.NewReader(assets.Icon)); err != nil {
			return nil, fmt.Errorf("merci icon: %w", err)
		}
	}
	files := make(map[string][]byte, len(imageNames))
	for i, scale := range []int{1, 2, 3} {
		for _, f := range []struct {
			name       string
			maxW, maxH int
			square     bool
		}{{imageNames[i], 29, 29, true}, {imageNames[3+i], 160, 50, false}} {
			b, err := encodePNG(fit(img, f.maxW*scale, f.maxH*scale, f.square))
			if err != nil {
				return nil, fmt.Errorf("pass %s: %w", f.name, err)
			}
			files[f.name] = b
		}
	}
	return files, nil
}

// decodeLogo returns logo's image, or nil if there is none to use.
func decodeLogo(logo []byte) image.Image {
	if len(logo) == 0 {
		return nil
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(logo))
	if err != nil || cfg.Width > maxLogoSide || cfg.Height > maxLogoSide {
		return nil
	}
	img, err := png.Decode(bytes.NewReader(logo))
	if err != nil {
		return nil
	}
	return img
}

// fit scales img to fit in maxW×maxH, keeping its proportions; square centres it on a
// transparent maxW×maxH canvas, as an icon must be.
func fit(img image.Image, maxW, maxH int, square bool) image.Image {
	b := img.Bounds()
	scale := min(float64(maxW)/float64(b.Dx()), float64(maxH)/float64(b.Dy()))
	w, h := max(1, int(float64(b.Dx())*scale+0.5)), max(1, int(float64(b.Dy())*scale+0.5))
	canvas, at := image.Rect(0, 0, w, h), image.Rect(0, 0, w, h)
	if square {
		canvas = image.Rect(0, 0, maxW, maxH)
		at = at.Add(image.Pt((maxW-w)/2, (maxH-h)/2))
	}
	dst := image.NewNRGBA(canvas)
	draw.CatmullRom.Scale(dst, at, img, b, draw.Src, nil)
	return dst
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
