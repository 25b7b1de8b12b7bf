package scanner

import (
	"errors"
	"image"
	"math"
	"math/bits"
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
//     ZXing's hybrid binarizer, then through a local-mean threshold (glare and the grey
//     modules of a backlit phone), then both turned a quarter turn (the finder-pattern
//     scan runs along rows, and tilted or blurred patterns are sometimes only found
//     across them), each also inverted (light modules on a dark phone screen);
//
// then, if a finder pattern was seen in either binarization and time is left, the
// rescues, on the regions around the finder patterns when the frame is large:
//
//  2. a local-mean threshold on the region enlarged twice, upright and turned, then the
//     hybrid binarizer on it: small or blurred codes whose modules are only a few pixels
//     wide;
//  3. the hybrid binarizer on the region turned, a tighter local mean, the hybrid
//     binarizer on the region reduced to three quarters (noise and JPEG blocks average
//     out), then ZXing's global-histogram binarizer.
//
// A Decoder is cheap and holds no state between calls; one may be used by one goroutine
// at a time.
type Decoder struct {
	// Budget bounds the work spent on one image, in CPU time on one core where the
	// system tells it (Linux), else in wall time: once it is used up no further strategy
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
	spent, release := workClock()
	defer release()
	late := func() bool { return d.Budget > 0 && spent() > d.Budget }

	// The fast path: the plane as it is through the hybrid binarizer, then through a
	// local mean. The hybrid binarizer's 8-pixel blocks take glare and the grey modules
	// of a backlit phone for background; a window that follows each pixel keeps them.
	bm := hybrid(g)
	if bm == nil {
		return "", ErrNoCode // no contrast at all
	}
	if txt, ok := d.read(bm, true); ok {
		return txt, nil
	}
	mean := meanThreshold(g, 16, 4)
	if txt, ok := d.read(mean, true); ok {
		return txt, nil
	}
	// Both turned: the finder-pattern scan runs along rows, and tilted or blurred
	// patterns are sometimes only found across them.
	for _, m := range []*gozxing.BitMatrix{bm, mean} {
		if late() {
			return "", ErrNoCode
		}
		if txt, ok := d.read(turnBits(m), true); ok {
			return txt, nil
		}
	}
	if late() {
		return "", ErrNoCode
	}

	// The rescues work on the regions around the finder patterns when the frame is large.
	regions := likelyCodes(g, bm, mean)
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
			func() *gozxing.BitMatrix { return meanThreshold(big(), 16, 2) },
			func() *gozxing.BitMatrix { return meanThreshold(turn(big()), 16, 2) },
			func() *gozxing.BitMatrix { return hybrid(big()) })
	}
	reduced := once(func() *image.Gray { return scale(region, 3, 4) })
	rescues = append(rescues,
		func() *gozxing.BitMatrix { return hybrid(turn(region)) },
		func() *gozxing.BitMatrix { return meanThreshold(region, 8, 0) },
		func() *gozxing.BitMatrix { return hybrid(reduced()) },
		func() *gozxing.BitMatrix { return hybrid(turn(reduced())) },
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
			if txt, ok := d.read(m, true); ok {
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

// tryHarder makes the finder-pattern scan look at every third row rather than every
// 1/130th of the frame: a small code's finder patterns in a 1080p frame are barely taller
// than the default step.
var tryHarder = map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}

// readOnce detects and decodes a code in bm. When the three finder patterns the detector
// picks do not make a code (a logo or a keyboard key in a cluttered frame looks like one
// to it), every other plausible triple of them gets its turn.
func (d *Decoder) readOnce(bm *gozxing.BitMatrix) (string, bool) {
	if det, err := detector.NewDetector(bm).Detect(tryHarder); err == nil {
		if res, err := d.qr.Decode(det.GetBits(), nil); err == nil {
			return res.GetText(), true
		}
	}
	triples, _ := multidetector.NewMultiFinderPatternFinder(bm, nil).FindMulti(tryHarder) // none found is not an error here
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
// found in the binarizations bms, dark or light, each with a margin for the rest of the
// code, at most maxRegions; none if there are no candidates. Clusters of three or more
// candidates (a code's three finder patterns) come first, then the strongest. A cluster
// holds the candidates within a version-4 code's reach of its strongest one, so that
// logos and keys elsewhere in a cluttered frame do not make the region too large to
// enlarge.
func likelyCodes(g *image.Gray, bms ...*gozxing.BitMatrix) []*image.Gray {
	var centers []*detector.FinderPattern
	add := func(found []*detector.FinderPattern) {
		for _, c := range found {
			if !slices.ContainsFunc(centers, func(o *detector.FinderPattern) bool {
				return o.AboutEquals(c.GetEstimatedModuleSize(), c.GetY(), c.GetX())
			}) {
				centers = append(centers, c)
			}
		}
	}
	for _, bm := range bms {
		add(finderCandidates(bm))
		bm.FlipAll()
		add(finderCandidates(bm))
		bm.FlipAll()
	}
	slices.SortStableFunc(centers, func(a, b *detector.FinderPattern) int { return b.GetCount() - a.GetCount() })
	type cluster struct {
		n              int
		x0, y0, x1, y1 float64
		margin         float64
	}
	var clusters []cluster
	used := make([]bool, len(centers))
	for i, c := range centers {
		if used[i] {
			continue
		}
		module := c.GetEstimatedModuleSize()
		reach := 33 * module
		k := cluster{x0: c.GetX(), y0: c.GetY(), x1: c.GetX(), y1: c.GetY()}
		widest := module
		for j, o := range centers {
			if !used[j] && math.Abs(o.GetX()-c.GetX()) < reach && math.Abs(o.GetY()-c.GetY()) < reach &&
				o.GetEstimatedModuleSize() < 2*module && o.GetEstimatedModuleSize() > module/2 {
				used[j] = true
				k.n++
				k.x0, k.y0 = min(k.x0, o.GetX()), min(k.y0, o.GetY())
				k.x1, k.y1 = max(k.x1, o.GetX()), max(k.y1, o.GetY())
				widest = max(widest, o.GetEstimatedModuleSize())
			}
		}
		// A finder centre lies 3.5 modules in from the code's corner, and 4 modules of
		// quiet zone follow. A lone candidate may be any of the three: reach a version-4
		// code's width (33 modules) around it.
		k.margin = 8 * widest
		if k.n < 3 {
			k.margin = reach
		}
		clusters = append(clusters, k)
	}
	slices.SortStableFunc(clusters, func(a, b cluster) int { return min(b.n, 3) - min(a.n, 3) })
	var regions []*image.Gray
	for _, k := range clusters[:min(len(clusters), maxRegions)] {
		regions = appendRegion(regions, g, k.x0, k.y0, k.x1, k.y1, k.margin)
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

// turnBits returns bm turned a quarter turn clockwise. The finder-pattern scan runs
// along rows; across them it finds patterns that tilt or blur hid along them. Turning the
// binarization costs a fraction of binarizing a turned image.
func turnBits(bm *gozxing.BitMatrix) *gozxing.BitMatrix {
	w, h := bm.GetWidth(), bm.GetHeight()
	t, _ := gozxing.NewBitMatrix(h, w) // the sizes are those of a valid matrix
	var row *gozxing.BitArray
	for y := range h {
		row = bm.GetRow(y, row)
		// Whole words at a time: only the set bits cost anything.
		for i, word := range row.GetBitArray() {
			for word != 0 {
				x := 32*i + bits.TrailingZeros32(word)
				word &= word - 1
				if x < w {
					t.Set(h-1-y, x)
				}
			}
		}
	}
	return t
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
