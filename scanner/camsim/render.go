package camsim

import (
	"image"
	"math"
	"math/rand/v2"

	qrcode "github.com/skip2/go-qrcode"
)

// Sensor constants: electrons a pixel holds, and electrons white paper gives in the
// longest exposure (1/30 s) at each light level.
const fullWell = 9000

var maxElectrons = [...]float64{Bright: 40000, Dim: 3000, Low: 400}

// lighting is the room: uneven ambient light over the scene and one lamp.
type lighting struct {
	w, h          float64
	gx, gy        float64 // linear falloff across the frame
	sx, sy, sr, s float64 // a soft shadow: centre, radius, depth
	lamp          vec     // direction to the lamp
	lampRadius    float64 // radians
	lampRadiance  float64 // in paper-white units
}

func (l *lighting) ambient(x, y float64) float64 {
	a := 1 + l.gx*(x/l.w-0.5) + l.gy*(y/l.h-0.5)
	dx, dy := x-l.sx, y-l.sy
	a -= l.s * math.Exp(-(dx*dx+dy*dy)/(2*l.sr*l.sr))
	return max(0.15, a)
}

// reflection is what a coat with the given roughness mirrors in direction r: the lamp,
// spread and dimmed by roughness, over the room's dim surroundings.
func (l *lighting) reflection(r vec, rough float64) float64 {
	width := l.lampRadius + rough
	ang := angleBetween(r, l.lamp)
	lamp := l.lampRadiance * (l.lampRadius / width) * (l.lampRadius / width) *
		0.5 * (1 - math.Tanh((ang-width)/(0.3*rough+0.005)))
	return lamp + 0.4
}

func render(rng *rand.Rand, p params) Frame {
	w, h := p.size.X, p.size.Y
	cam := camera{w: w, h: h, f: float64(w) / 2 / math.Tan(p.hfov/2)}
	setup := Setup{Size: p.size, Surface: p.surface, Light: p.light, JPEGQuality: p.quality,
		Tilt: deg(p.tilt), Roll: math.Mod(deg(p.roll), 360)}
	light := &lighting{w: float64(w), h: float64(h),
		gx: 1.2 * (rng.Float64() - 0.5), gy: 1.2 * (rng.Float64() - 0.5),
		sx: rng.Float64() * float64(w), sy: rng.Float64() * float64(h), sr: float64(w) * (0.1 + 0.2*rng.Float64()),
		lampRadius: rad(5 + 9*rng.Float64()), lampRadiance: 8 + 22*rng.Float64(),
		lamp: vec{rng.NormFloat64() * 0.4, -1, -0.2 + rng.NormFloat64()*0.4}.unit()}
	if rng.Float64() < 0.4 {
		light.s = 0.5 * rng.Float64()
	}
	objs, texts := place(rng, cam, p, &setup)
	if p.glare && len(objs) > 0 && objs[0].code != nil {
		// Put the lamp where its mirror image falls on the code, as it does when the
		// customer tilts the card towards the ceiling light.
		c := objs[0].code
		half := float64(len(c.bits)) * c.module / 2
		pt := objs[0].point(c.cu+(rng.Float64()-0.5)*half, c.cv+(rng.Float64()-0.5)*half)
		d := pt.unit()
		if _, _, n, _, ok := objs[0].hit(d); ok {
			light.lamp = reflect(d, n).unit()
		}
	}

	bg := background(rng, w, h)
	layer, alpha := newPlane(w, h), newPlane(w, h)
	var box image.Rectangle
	for _, o := range objs {
		box = box.Union(drawObject(cam, o, light, layer, alpha, &setup))
	}

	// Auto-exposure meters the frame; light caps the exposure at 1/30 s, then gain takes over.
	mean := 0.0
	for i, a := range alpha.pix {
		x, y := float64(i%w), float64(i/w)
		mean += float64(layer.pix[i]) + float64(1-a)*float64(bg.pix[i])*light.ambient(x, y)
	}
	mean /= float64(w * h)
	wantK := 0.16 * fullWell / mean
	k := min(wantK, maxElectrons[p.light])
	exposure := k / maxElectrons[p.light] / 30 // seconds

	depth := 400.0
	if len(objs) > 0 {
		c := objs[0].pos
		depth = c[2]
	}
	setup.MotionPx = p.speed * exposure * cam.f / depth
	angle := 2 * math.Pi * rng.Float64()
	lineBlur(layer, box, setup.MotionPx, angle) // only the card moves; the room stays still
	lineBlur(alpha, box, setup.MotionPx, angle)

	scene := newPlane(w, h)
	for i := range scene.pix {
		x, y := float64(i%w), float64(i/w)
		scene.pix[i] = layer.pix[i] + (1-alpha.pix[i])*bg.pix[i]*float32(light.ambient(x, y))
	}
	focus := p.focusAt
	if p.autoFoc {
		focus = depth * (1 + 0.06*rng.NormFloat64()) // autofocus settles close, not exactly
	}
	setup.DefocusPx = cam.f * p.aperture * math.Abs(1/depth-1/focus) / 2
	scene = discBlur(scene, setup.DefocusPx)

	img := expose(rng, cam, scene, k, 0.16/(k*mean))
	img = jpegRoundTrip(img, p.quality)
	return Frame{Image: img, Codes: texts, Setup: setup}
}

// expose turns irradiance into the camera's 8-bit picture: vignetting, photon and read
// noise, saturation, gain, gamma and the camera's own sharpening.
func expose(rng *rand.Rand, cam camera, scene plane, k, gain float64) *image.Gray {
	w, h := scene.w, scene.h
	vigPow := 4 * (0.3 + 0.3*rng.Float64()) // lens shading correction leaves part of cos⁴
	readNoise := 2.5 + 2.5*rng.Float64()
	out := newPlane(w, h)
	for y := range h {
		for x := range w {
			dx, dy := float64(x)-float64(w)/2, float64(y)-float64(h)/2
			cos := cam.f / math.Sqrt(cam.f*cam.f+dx*dx+dy*dy)
			lambda := float64(scene.pix[y*w+x]) * math.Pow(cos, vigPow) * k
			e := poisson(rng, lambda) + readNoise*rng.NormFloat64()
			e = max(0, min(fullWell, e))
			out.pix[y*w+x] = float32(srgb(min(1, e*gain)))
		}
	}
	// Webcams sharpen: an unsharp mask, which rings at edges.
	amount := float32(0.2 + 0.6*rng.Float64())
	soft := boxBlur(out, 1)
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range out.pix {
		s := v + amount*(v-soft.pix[i])
		g.Pix[i] = uint8(max(0, min(255, math.Round(float64(s)*255))))
	}
	return g
}

func poisson(rng *rand.Rand, lambda float64) float64 {
	if lambda > 30 {
		return lambda + math.Sqrt(lambda)*rng.NormFloat64()
	}
	// Knuth's method: exact for the few photons of the darkest pixels.
	l, n, prod := math.Exp(-lambda), 0.0, rng.Float64()
	for prod > l {
		n++
		prod *= rng.Float64()
	}
	return n
}

// place builds the objects in view and aims them so that the first code's modules are
// p.modulePx wide at its centre, and fills in the setup.
func place(rng *rand.Rand, cam camera, p params, setup *Setup) ([]*object, []string) {
	if p.codes == 0 && rng.Float64() < 0.5 {
		return nil, nil // an empty counter
	}
	rot := axisRotation(vec{math.Cos(p.tiltAxis), math.Sin(p.tiltAxis), 0}, p.tilt).times(axisRotation(vec{0, 0, 1}, p.roll))
	var objs []*object
	var texts []string
	for i := range max(1, p.codes) {
		o := &object{surf: p.surface, skin: 0.3 + 0.15*rng.Float64(), pitch: 25.4 / (300 + 160*rng.Float64())}
		o.rot = rot
		if p.surface == Glossy {
			o.gloss, o.rough = 0.05, 0.05+0.15*rng.Float64()
		}
		if p.surface >= Screen {
			o.gloss, o.rough = 0.04, 0.01
			o.emission = 0.7 + 1.3*rng.Float64()
			if p.light == Low {
				o.emission *= 3 // a backlit screen outshines a dark room
			}
		} else {
			o.bend = p.bend / (cardHalfW * cardHalfW)
		}
		var bits [][]bool
		if p.codes > 0 {
			q, err := qrcode.New(p.texts[i], p.levels[i])
			if err != nil {
				panic("camsim: " + err.Error()) // unreachable: payloads are short
			}
			q.DisableBorder = true
			bits = q.Bitmap()
			if i == 0 {
				setup.Version, setup.Level = q.VersionNumber, levelNames[p.levels[i]]
			}
		}
		if p.surface >= Screen {
			phoneLayout(rng, o, bits, p.texts[i])
		} else {
			cardLayout(rng, o, bits, p.texts[i])
		}
		addFingers(rng, o, p.fingers)
		setup.Fingers += len(o.fingers)
		objs = append(objs, o)
	}
	first := objs[0]
	module, cu, cv, n := 0.8, 20.0, 0.0, 25.0
	if first.code != nil {
		module, cu, cv, n = first.code.module, first.code.cu, first.code.cv, float64(len(first.code.bits))
	}
	depth := max(100, cam.f*module/p.modulePx)
	px := float64(cam.w) * (0.25 + 0.5*rng.Float64())
	py := float64(cam.h) * (0.3 + 0.4*rng.Float64())
	aim := func() { first.pos = cam.ray(px, py).mul(depth).sub(surface{rot: rot, bend: first.bend}.point(cu, cv)) }
	aim()
	// Keep the first code inside the frame.
	if b := codeBox(cam, first, module*n/2, cu, cv); !b.Empty() {
		frame := image.Rect(2, 2, cam.w-2, cam.h-2)
		px += float64(max(0, frame.Min.X-b.Min.X) - max(0, b.Max.X-frame.Max.X))
		py += float64(max(0, frame.Min.Y-b.Min.Y) - max(0, b.Max.Y-frame.Max.Y))
		aim()
	}
	if len(objs) == 2 {
		second := objs[1]
		c := second.code
		ok := false
		for _, off := range []vec{{2*cardHalfW + 8, 0, 0}, {-2*cardHalfW - 8, 0, 0}, {0, 2*cardHalfH + 8, 0}, {0, -2*cardHalfH - 8, 0}} {
			second.pos = first.pos.add(rot.apply(off))
			b := codeBox(cam, second, c.module*float64(len(c.bits))/2, c.cu, c.cv)
			if b.In(image.Rect(0, 0, cam.w, cam.h)) {
				ok = true
				break
			}
		}
		if !ok {
			objs = objs[:1] // no room for a second card in view
		}
	}
	for _, o := range objs {
		if o.code != nil {
			texts = append(texts, o.code.text)
		}
	}
	setup.Codes = len(texts)
	z := first.point(cu, cv)[2]
	setup.ModulePx = cam.f * module / z
	setup.CodeWidth = setup.ModulePx * n / float64(cam.w)
	if first.bend != 0 {
		setup.Bend = p.bend
	}
	return objs, texts
}

// codeBox is the frame rectangle the code's corners project to.
func codeBox(cam camera, o *object, half, cu, cv float64) image.Rectangle {
	var r image.Rectangle
	for _, c := range [4][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x, y := cam.project(o.point(cu+c[0]*half, cv+c[1]*half))
		pt := image.Pt(int(math.Floor(x)), int(math.Floor(y)))
		if r.Empty() {
			r = image.Rectangle{pt, pt.Add(image.Pt(1, 1))}
		} else {
			r = r.Union(image.Rectangle{pt, pt.Add(image.Pt(1, 1))})
		}
	}
	return r
}

// drawObject traces the object into layer (radiance, premultiplied by coverage) and alpha
// (coverage), several rays per pixel, and returns the rectangle it drew in.
func drawObject(cam camera, o *object, light *lighting, layer, alpha plane, setup *Setup) image.Rectangle {
	hw, hh := float64(cardHalfW+35), float64(cardHalfH+35) // fingers reach past the edges
	if o.surf >= Screen {
		hw, hh = float64(phoneHalfW+35), float64(phoneHalfH+35)
	}
	var box image.Rectangle
	for i := 0; i <= 8; i++ {
		for j := 0; j <= 8; j++ {
			pt := o.point(-hw+2*hw*float64(i)/8, -hh+2*hh*float64(j)/8)
			if pt[2] <= 1 {
				continue
			}
			x, y := cam.project(pt)
			r := image.Rect(int(x)-2, int(y)-2, int(x)+3, int(y)+3)
			box = box.Union(r)
		}
	}
	box = box.Intersect(image.Rect(0, 0, cam.w, cam.h))
	ss := 3
	if box.Dx()*box.Dy() > 250_000 {
		ss = 2
	}
	inv := 1 / float32(ss*ss)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			amb := light.ambient(float64(x), float64(y))
			var sum float64
			hits := 0
			for sy := range ss {
				for sx := range ss {
					d := cam.ray(float64(x)+(float64(sx)+0.5)/float64(ss), float64(y)+(float64(sy)+0.5)/float64(ss))
					u, v, n, z, ok := o.hit(d)
					if !ok {
						continue
					}
					m, ok := o.look(u, v, z/cam.f)
					if !ok {
						continue
					}
					hits++
					lambert := 0.6 + 0.4*max(0, n.dot(light.lamp))
					spec := 0.0
					if m.gloss > 0 {
						spec = m.gloss * light.reflection(reflect(d.unit(), n), m.rough)
					}
					if m.inCode && spec > 0.25 {
						setup.Glare = true
					}
					sum += m.albedo*amb*lambert + m.emit + spec
				}
			}
			i := y*cam.w + x
			layer.pix[i] += float32(sum) * inv
			alpha.pix[i] = min(1, alpha.pix[i]+float32(hits)*inv)
		}
	}
	return box
}
