package scanner

import (
	"errors"
	"image"
	"math"
	"slices"
	"time"

	"github.com/makiuchi-d/gozxing"
	multidetector "github.com/makiuchi-d/gozxing/multi/qrcode/detector"
	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	"github.com/makiuchi-d/gozxing/qrcode/detector"
)

// ErrNoCode means no QR code could be read in an image.
var ErrNoCode = errors.New("no QR code found")

// Decoder reads a QR code out of an image. It runs gozxing's detector and decoder on
// several binarizations of the picture, cheapest first, and stops at the first that reads:
//
//  1. the fast path: the luma plane as it is (a camera's Y plane, not copied) through
//     ZXing's hybrid binarizer, then turned a quarter turn (the finder-pattern scan runs
//     along rows, and tilted or blurred patterns are sometimes only found across them),
//     each also inverted (light modules on a dark phone screen);
//
// then, if a finder pattern was seen at all and time is left, the rescues, on the region
// around the finder patterns when the frame is large:
//
//  2. a local-mean threshold on the region enlarged twice, upright and turned: small or
//     blurred codes whose modules are only a few pixels wide;
//  3. the hybrid binarizer on the region reduced to three quarters: noise and JPEG blocks
//     average out;
//  4. a local-mean threshold at full size, then ZXing's global-histogram binarizer.
//
// A Decoder is cheap and holds no state between calls; one may be used by one goroutine
// at a time.
type Decoder struct {
	// Budget bounds the time spent on one image: once it is used up no further strategy
	// starts. The first strategy always runs. Zero means no limit, for files.
	Budget time.Duration

	qr *decoder.Decoder
}

// NewDecoder returns a Decoder that spends at most budget on one image (zero: no limit).
func NewDecoder(budget time.Duration) *Decoder {
	return &Decoder{Budget: budget, qr: decoder.NewDecoder()}
}

// Decode returns the text of the QR code in img, or ErrNoCode.
func (d *Decoder) Decode(img image.Image) (string, error) {
	return d.DecodeLuma(Luma(img))
}

// DecodeAll returns the texts of all the QR codes in img, such as a sheet of printed
// cards, in the order found. When the search for several codes reads none, it falls back
// to Decode's strategies for one.
func (d *Decoder) DecodeAll(img image.Image) ([]string, error) {
	if d.qr == nil {
		d.qr = decoder.NewDecoder()
	}
	g := Luma(img)
	var texts []string
	if bm := hybrid(g); bm != nil {
		found, _ := multidetector.NewMultiDetector(bm).DetectMulti(nil) // none found is not an error here
		for _, det := range found {
			res, err := d.qr.Decode(det.GetBits(), nil)
			if err == nil && !slices.Contains(texts, res.GetText()) {
				texts = append(texts, res.GetText())
			}
		}
	}
	if len(texts) > 0 {
		return texts, nil
	}
	text, err := d.DecodeLuma(g)
	if err != nil {
		return nil, err
	}
	return []string{text}, nil
}

// largeArea is the frame size above which the whole frame is not enlarged: only the
// region around finder-pattern candidates is.
const largeArea = 400 * 400

// DecodeLuma returns the text of the QR code in the luminance plane g, or ErrNoCode.
func (d *Decoder) DecodeLuma(g *image.Gray) (string, error) {
	if d.qr == nil {
		d.qr = decoder.NewDecoder()
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 21 || h < 21 {
		return "", ErrNoCode
	}
	start := time.Now()
	late := func() bool { return d.Budget > 0 && time.Since(start) > d.Budget }

	// The fast path: the plane as it is, then turned.
	bm := hybrid(g)
	if bm == nil {
		return "", ErrNoCode // no contrast at all
	}
	if txt, ok := d.read(bm, true); ok {
		return txt, nil
	}
	if tm := hybrid(turn(g)); tm != nil {
		if txt, ok := d.read(tm, true); ok {
			return txt, nil
		}
	}
	if late() {
		return "", ErrNoCode
	}

	// The rescues work on the regions around the finder patterns when the frame is large.
	regions := likelyCodes(g, bm)
	if len(regions) == 0 {
		return "", ErrNoCode // no finder pattern anywhere: nothing to rescue
	}
	if w*h <= largeArea {
		regions = []*image.Gray{g}
	}
	for _, region := range regions {
		if late() {
			break
		}
		if txt, ok := d.rescue(region, late); ok {
			return txt, nil
		}
	}
	return "", ErrNoCode
}

// rescue tries the slower binarizations on a region that holds finder patterns.
func (d *Decoder) rescue(region *image.Gray, late func() bool) (string, bool) {
	var rescues []func() *gozxing.BitMatrix
	if region.Rect.Dx()*region.Rect.Dy() <= largeArea {
		big := once(func() *image.Gray { return scale(region, 2, 1) })
		rescues = append(rescues,
			func() *gozxing.BitMatrix { return meanThreshold(big(), 16, 4) },
			func() *gozxing.BitMatrix { return meanThreshold(turn(big()), 16, 4) })
	}
	reduced := once(func() *image.Gray { return scale(region, 3, 4) })
	rescues = append(rescues,
		func() *gozxing.BitMatrix { return hybrid(reduced()) },
		func() *gozxing.BitMatrix { return hybrid(turn(reduced())) },
		func() *gozxing.BitMatrix { return meanThreshold(region, 16, 4) },
		func() *gozxing.BitMatrix {
			m, err := gozxing.NewGlobalHistgramBinarizer(lumaSource(region)).GetBlackMatrix()
			if err != nil {
				return nil
			}
			return m
		})
	for _, rescue := range rescues {
		if late() {
			break
		}
		if m := rescue(); m != nil {
			if txt, ok := d.read(m, false); ok {
				return txt, true
			}
		}
	}
	return "", false
}

// once returns a function that computes f's image the first time it is called.
func once(f func() *image.Gray) func() *image.Gray {
	var g *image.Gray
	return func() *image.Gray {
		if g == nil {
			g = f()
		}
		return g
	}
}

// hybrid binarizes g with ZXing's hybrid binarizer, or returns nil if g has no contrast.
func hybrid(g *image.Gray) *gozxing.BitMatrix {
	m, err := gozxing.NewHybridBinarizer(lumaSource(g)).GetBlackMatrix()
	if err != nil {
		return nil
	}
	return m
}

// read detects and decodes a code in bm, then, if invert is set, in bm inverted (light
// modules on a dark screen). It leaves bm as it found it.
func (d *Decoder) read(bm *gozxing.BitMatrix, invert bool) (string, bool) {
	if txt, ok := d.readOnce(bm); ok || !invert {
		return txt, ok
	}
	bm.FlipAll()
	defer bm.FlipAll()
	return d.readOnce(bm)
}

// readOnce detects and decodes a code in bm. When the three finder patterns the detector
// picks do not make a code (a logo or a keyboard key in a cluttered frame looks like one
// to it), every other plausible triple of them gets its turn.
func (d *Decoder) readOnce(bm *gozxing.BitMatrix) (string, bool) {
	if det, err := detector.NewDetector(bm).Detect(nil); err == nil {
		if res, err := d.qr.Decode(det.GetBits(), nil); err == nil {
			return res.GetText(), true
		}
	}
	triples, _ := multidetector.NewMultiFinderPatternFinder(bm, nil).FindMulti(nil) // none found is not an error here
	for i, info := range triples {
		if i == maxTriples {
			break
		}
		det, err := detector.NewDetector(bm).ProcessFinderPatternInfo(info)
		if err != nil {
			continue
		}
		if res, err := d.qr.Decode(det.GetBits(), nil); err == nil {
			return res.GetText(), true
		}
	}
	return "", false
}

// maxTriples bounds the finder triples tried in one binarization: text and keyboards in a
// cluttered frame make dozens, and each costs a sampling and a decode.
const maxTriples = 6

// likelyCodes returns the parts of g around clusters of the finder-pattern candidates
// found in its binarization bm, dark or light, each with a margin for the rest of the
// code, strongest cluster first, at most maxRegions; none if there are no candidates.
// A cluster holds the candidates within a version-4 code's reach of its strongest one, so
// that logos and keys elsewhere in a cluttered frame do not make the region too large to
// enlarge. It may leave bm inverted.
func likelyCodes(g *image.Gray, bm *gozxing.BitMatrix) []*image.Gray {
	centers := finderCandidates(bm)
	if len(centers) == 0 {
		bm.FlipAll()
		centers = finderCandidates(bm)
	}
	slices.SortStableFunc(centers, func(a, b *detector.FinderPattern) int { return b.GetCount() - a.GetCount() })
	var regions []*image.Gray
	used := make([]bool, len(centers))
	for i, c := range centers {
		if used[i] || len(regions) == maxRegions {
			continue
		}
		module := c.GetEstimatedModuleSize()
		reach := 33 * module
		x0, y0, x1, y1 := c.GetX(), c.GetY(), c.GetX(), c.GetY()
		n, widest := 0, module
		for j, o := range centers {
			if !used[j] && math.Abs(o.GetX()-c.GetX()) < reach && math.Abs(o.GetY()-c.GetY()) < reach &&
				o.GetEstimatedModuleSize() < 2*module && o.GetEstimatedModuleSize() > module/2 {
				used[j] = true
				n++
				x0, y0 = min(x0, o.GetX()), min(y0, o.GetY())
				x1, y1 = max(x1, o.GetX()), max(y1, o.GetY())
				widest = max(widest, o.GetEstimatedModuleSize())
			}
		}
		// A finder centre lies 3.5 modules in from the code's corner, and 4 modules of
		// quiet zone follow. A lone candidate may be any of the three: reach a version-4
		// code's width (33 modules) around it.
		margin := 8 * widest
		if n == 1 {
			margin = reach
		}
		regions = appendRegion(regions, g, x0, y0, x1, y1, margin)
	}
	if len(regions) > 1 {
		// Last, all the candidates together: a code whose finder patterns fell into
		// different clusters.
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		module := 0.0
		for _, c := range centers {
			x0, y0 = min(x0, c.GetX()), min(y0, c.GetY())
			x1, y1 = max(x1, c.GetX()), max(y1, c.GetY())
			module = max(module, c.GetEstimatedModuleSize())
		}
		regions = appendRegion(regions, g, x0, y0, x1, y1, 8*module)
	}
	return regions
}

// appendRegion appends the part of g from (x0, y0) to (x1, y1) widened by margin, if
// it is large enough to hold a code.
func appendRegion(regions []*image.Gray, g *image.Gray, x0, y0, x1, y1, margin float64) []*image.Gray {
	r := image.Rect(int(x0-margin), int(y0-margin), int(x1+margin)+1, int(y1+margin)+1).Add(g.Rect.Min).Intersect(g.Rect)
	if r.Dx() < 21 || r.Dy() < 21 {
		return regions
	}
	return append(regions, g.SubImage(r).(*image.Gray))
}

// maxRegions bounds the clusters of candidates a frame's rescues try.
const maxRegions = 3

func finderCandidates(bm *gozxing.BitMatrix) []*detector.FinderPattern {
	f := detector.NewFinderPatternFinder(bm, nil)
	_, _ = f.Find(nil) // only the candidates it collected matter here
	return f.GetPossibleCenters()
}

// lumaSource wraps g for gozxing without copying it.
func lumaSource(g *image.Gray) gozxing.LuminanceSource {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	pix := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y):]
	// The source reads rows at y*stride, so it needs stride*h bytes even for the last row.
	if len(pix) < g.Stride*h {
		pix = append(pix[:len(pix):len(pix)], make([]byte, g.Stride*h-len(pix))...)
	}
	src, err := gozxing.NewPlanarYUVLuminanceSource(pix, g.Stride, h, 0, 0, w, h, false)
	if err != nil {
		panic(err) // unreachable: the crop is the whole plane
	}
	return src
}
