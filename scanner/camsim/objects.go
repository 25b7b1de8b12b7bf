package camsim

import (
	"math"
	"math/rand/v2"
)

// Physical sizes, mm.
const (
	cardHalfW, cardHalfH, cardCorner       = 42.8, 27, 3.2 // ID-1, the size of a bank card
	phoneHalfW, phoneHalfH, phoneCorner    = 36, 74, 8
	screenHalfW, screenHalfH, screenCorner = 33, 69, 5
	fingerRadius                           = 8
)

// qrGrid is a code printed or shown on an object: its modules (no quiet zone), centred at
// (cu, cv), module mm wide.
type qrGrid struct {
	bits   [][]bool
	cu, cv float64
	module float64
	text   string
}

// at reports whether (u, v) falls on the code and on a dark module.
func (q *qrGrid) at(u, v float64) (inCode, dark bool) {
	n := len(q.bits)
	half := float64(n) * q.module / 2
	x, y := (u-q.cu+half)/q.module, (v-q.cv+half)/q.module
	if x < 0 || y < 0 || x >= float64(n) || y >= float64(n) {
		return false, false
	}
	return true, q.bits[int(y)][int(x)]
}

// block is a filled rectangle printed or shown on an object: text lines, a name, a logo.
type block struct{ u0, v0, u1, v1, value float64 }

// capsule is a finger lying over the object, from its base a to its tip b.
type capsule struct{ au, av, bu, bv float64 }

func (c capsule) dist(u, v float64) float64 {
	du, dv := c.bu-c.au, c.bv-c.av
	t := max(0, min(1, ((u-c.au)*du+(v-c.av)*dv)/(du*du+dv*dv)))
	x, y := u-(c.au+t*du), v-(c.av+t*dv)
	return math.Sqrt(x*x + y*y)
}

// object is a card or a phone in front of the camera.
type object struct {
	surface
	surf     Surface
	code     *qrGrid // nil: a card or screen without a code
	blocks   []block
	fingers  []capsule
	base     float64 // the card's albedo, or the screen's background level
	panel    float64 // half width of the white panel around the code (quiet zone), mm
	skin     float64
	emission float64 // the screen's white, in paper-white units
	pitch    float64 // screen pixel pitch, mm
	gloss    float64 // Fresnel reflectance of the surface's coat
	rough    float64 // radians the coat spreads a reflection over
}

// material is what a ray finds on an object.
type material struct {
	albedo, emit float64
	gloss, rough float64
	inCode       bool
}

// look returns what is at printed point (u, v), or false if it is off the object.
// footprint is the width in mm that one camera pixel covers there.
func (o *object) look(u, v, footprint float64) (material, bool) {
	for _, f := range o.fingers {
		if d := f.dist(u, v); d < fingerRadius {
			// A finger is a cylinder: lit face-on along its middle, darker at its sides.
			shade := 0.45 + 0.55*math.Sqrt(1-(d/fingerRadius)*(d/fingerRadius))
			return material{albedo: o.skin * shade, gloss: 0.02, rough: 0.4}, true
		}
	}
	if o.surf >= Screen {
		return o.lookPhone(u, v, footprint)
	}
	if !inRoundedRect(u, v, cardHalfW, cardHalfH, cardCorner) {
		return material{}, false
	}
	m := material{albedo: o.base, gloss: o.gloss, rough: o.rough}
	if o.code != nil {
		if math.Abs(u-o.code.cu) < o.panel && math.Abs(v-o.code.cv) < o.panel {
			m.albedo = paperWhite
			if in, dark := o.code.at(u, v); in {
				m.inCode = true
				if dark {
					m.albedo = inkBlack
				}
			}
			return m, true
		}
	}
	for _, b := range o.blocks {
		if u >= b.u0 && u < b.u1 && v >= b.v0 && v < b.v1 {
			m.albedo = b.value
			break
		}
	}
	return m, true
}

const (
	paperWhite = 0.82 // reflectance of white card stock
	inkBlack   = 0.05 // of black print
)

func (o *object) lookPhone(u, v, footprint float64) (material, bool) {
	if !inRoundedRect(u, v, phoneHalfW, phoneHalfH, phoneCorner) {
		return material{}, false
	}
	m := material{albedo: 0.03, gloss: o.gloss, rough: o.rough} // black glass over the bezel
	if !inRoundedRect(u, v, screenHalfW, screenHalfH, screenCorner) {
		return m, true
	}
	dark := o.surf == DarkScreen
	level := o.base
	if o.code != nil {
		if in, black := o.code.at(u, v); in {
			m.inCode = true
			if black != dark {
				level = 0.03
			} else {
				level = 0.9
			}
		} else if math.Abs(u-o.code.cu) < o.panel && math.Abs(v-o.code.cv) < o.panel {
			level = map[bool]float64{false: 0.9, true: 0.03}[dark]
		}
	}
	if !m.inCode {
		for _, b := range o.blocks {
			if u >= b.u0 && u < b.u1 && v >= b.v0 && v < b.v1 {
				level = b.value
				break
			}
		}
	}
	m.emit = o.emission * level * o.pixelGrid(u, v, footprint)
	return m, true
}

// pixelGrid is the screen's pixel structure as the sensor integrates it: the lit part
// of each pixel is a grating whose contrast, averaged over a camera pixel's footprint
// (depth/f mm wide), falls as sinc(footprint/pitch). What is left beats against the
// sensor's sampling: moiré.
func (o *object) pixelGrid(u, v, footprint float64) float64 {
	const fill = 0.55 // contrast of the grating between lit pixels and the gaps between them
	gu := 1 + fill*sinc(footprint/o.pitch)*math.Cos(2*math.Pi*u/o.pitch)
	gv := 1 + fill*sinc(footprint/(3*o.pitch))*math.Cos(2*math.Pi*v/(3*o.pitch)) // a subpixel stripe every third
	return gu * gv
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

func inRoundedRect(u, v, hw, hh, r float64) bool {
	x, y := math.Abs(u), math.Abs(v)
	if x > hw || y > hh {
		return false
	}
	if x > hw-r && y > hh-r {
		dx, dy := x-(hw-r), y-(hh-r)
		return dx*dx+dy*dy <= r*r
	}
	return true
}

// cardLayout fills a card's face: the shop's name and a few lines of text on the left,
// the code in a white panel on the right.
func cardLayout(rng *rand.Rand, o *object, bits [][]bool, text string) {
	o.base = 0.12 + 0.73*rng.Float64() // from a navy card to a white one
	ink := inkBlack
	if o.base < 0.4 {
		ink = paperWhite
	}
	if bits != nil {
		n := float64(len(bits))
		side := 18 + 9*rng.Float64()
		module := side / n
		quiet := (2 + 2*rng.Float64()) * module // some cards keep less than the 4 modules asked for
		o.panel = side/2 + quiet
		cu := cardHalfW - 3 - o.panel
		cv := (rng.Float64() - 0.5) * max(0, 2*(cardHalfH-3-o.panel))
		o.code = &qrGrid{bits: bits, cu: cu, cv: cv, module: module, text: text}
	}
	// The name: a row of bold letters; then lines of small words.
	u := -cardHalfW + 5
	for u < -5 {
		w := 2.5 + 3*rng.Float64()
		o.blocks = append(o.blocks, block{u, -cardHalfH + 6, u + w, -cardHalfH + 13, ink})
		u += w + 1.2
	}
	for line := range 4 {
		v := -cardHalfH + 20 + float64(line)*5
		u := -cardHalfW + 5
		for u < -8 {
			w := 1 + 6*rng.Float64()
			o.blocks = append(o.blocks, block{u, v, u + w, v + 2, ink})
			u += w + 1.5
		}
	}
}

// phoneLayout fills the screen of a wallet app: a title bar, the code, the card number.
func phoneLayout(rng *rand.Rand, o *object, bits [][]bool, text string) {
	dark := o.surf == DarkScreen
	ink := 0.05
	o.base = 0.95
	if dark {
		o.base, ink = 0.05, 0.85
	}
	o.blocks = append(o.blocks, block{-screenHalfW, -screenHalfH, screenHalfW, -screenHalfH + 14, 0.35 + 0.3*rng.Float64()})
	if bits != nil {
		n := float64(len(bits))
		side := 30 + 18*rng.Float64()
		module := side / n
		o.panel = side/2 + (2+2*rng.Float64())*module
		o.code = &qrGrid{bits: bits, cu: 0, cv: -5 + 10*rng.Float64(), module: module, text: text}
	}
	for line := range 3 {
		v := 35 + float64(line)*7
		u := -24.0
		for u < 20 {
			w := 2 + 6*rng.Float64()
			o.blocks = append(o.blocks, block{u, v, u + w, v + 3, ink})
			u += w + 2
		}
	}
}

// addFingers lays fingers over the object's edges. On a card they come in from the
// edges next to the code and reach into its quiet zone, as a thumb holds a card out.
func addFingers(rng *rand.Rand, o *object, n int) {
	for range n {
		if o.surf >= Screen || o.code == nil {
			// A hand holding a phone: fingers over the long edges.
			side := []float64{-1, 1}[rng.IntN(2)]
			hw, hh := float64(phoneHalfW), float64(phoneHalfH)
			if o.surf < Screen {
				hw, hh = cardHalfW, cardHalfH
			}
			v := (rng.Float64() - 0.5) * hh
			reach := hw - 2 - 4*rng.Float64()
			o.fingers = append(o.fingers, capsule{side * (hw + 30), v, side * (reach + fingerRadius), v})
			continue
		}
		c := o.code
		half := float64(len(c.bits)) * c.module / 2
		gap := (o.panel - half) * rng.Float64() // how much of the quiet zone stays free
		along := (rng.Float64() - 0.5) * 2 * half
		switch rng.IntN(3) {
		case 0: // from the bottom edge
			tip := c.cv + half + gap + fingerRadius
			o.fingers = append(o.fingers, capsule{c.cu + along, cardHalfH + 30, c.cu + along, tip})
		case 1: // from the top edge
			tip := c.cv - half - gap - fingerRadius
			o.fingers = append(o.fingers, capsule{c.cu + along, -cardHalfH - 30, c.cu + along, tip})
		default: // from the right edge
			tip := c.cu + half + gap + fingerRadius
			o.fingers = append(o.fingers, capsule{cardHalfW + 30, c.cv + along, tip, c.cv + along})
		}
	}
}
