// Package camsim simulates what a counter webcam sees when a customer holds up a loyalty
// card or a phone: 720p and 1080p frames rendered from a physical model, deterministic by
// seed, for measuring QR decoders on the frames that matter at the counter.
//
// A frame is rendered in linear light, in units of the radiance of white paper under the
// room's light, then passes through the camera as it would:
//
//   - geometry: a pinhole camera (60-78° across) looks at a card (85.6x54 mm, flat or bent
//     into a cylinder) or a phone (72x148 mm) turned to any angle and tilted up to 45°; each
//     pixel's rays are traced to the surface, so perspective and curvature are exact;
//   - materials: matte or laminated paper and ink lit by uneven room light and a lamp,
//     with the lamp's specular reflection on gloss and glass (glare); a phone screen emits
//     its own light, in light or dark mode, with its pixel grid beating against the
//     sensor's (moiré); fingers cover the card's edge and part of the quiet zone;
//   - background: procedural clutter behind the card: surfaces, papers with text-like
//     lines, logos that look like finder patterns, a keyboard's grid;
//   - optics: motion blur of the moving card (a line point-spread function as long as the
//     card travels during the exposure), defocus from the distance to the focus plane (a
//     disc point-spread function), vignetting;
//   - sensor: auto-exposure limited by the light (1/30 s at most), Poisson photon noise,
//     read noise, saturation, the camera's gain and gamma, its sharpening, and 8-bit JPEG
//     at webcam qualities (encoded and decoded with image/jpeg).
//
// Codes are encoded with skip2/go-qrcode from card-like payloads (a bare card code or a
// card page URL) at every error-correction level, which gives versions 1 to 5.
package camsim

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/merci-loyalty/merci/cards"
)

// Surface is what the code is shown on.
type Surface int

// The surfaces a customer shows.
const (
	Matte      Surface = iota // a printed card, matte paper
	Glossy                    // a printed card, laminated
	Screen                    // a phone screen in light mode
	DarkScreen                // a phone screen in dark mode: light modules on black
)

func (s Surface) String() string {
	return [...]string{"matte card", "glossy card", "phone", "phone dark mode"}[s]
}

// Light is how much light the room has, which sets the exposure and the noise.
type Light int

// Room light levels.
const (
	Bright Light = iota // a lit shop: short exposure, little noise
	Dim                 // evening light: the exposure reaches 1/30 s
	Low                 // a dark corner: gain amplifies photon noise
)

func (l Light) String() string { return [...]string{"bright", "dim", "low light"}[l] }

// Setup records how a frame was made: what was drawn and what followed from it.
type Setup struct {
	Size        image.Point // frame size in pixels
	Codes       int         // QR codes in view: 0, 1 or 2
	Surface     Surface
	Version     int     // QR version of the (first) code
	Level       string  // its error-correction level, L, M, Q or H
	ModulePx    float64 // a module's width in pixels at the code's centre
	CodeWidth   float64 // the code's width as a share of the frame's
	Tilt        float64 // degrees between the card's normal and the view
	Roll        float64 // degrees the card is turned in its plane
	Bend        float64 // sagitta of the card's curvature across its width, mm
	Fingers     int     // fingers over the card's or phone's edge
	DefocusPx   float64 // radius of the defocus disc, pixels
	MotionPx    float64 // length of the motion blur, pixels
	Light       Light
	Glare       bool // the lamp's reflection lies on the code
	JPEGQuality int
}

// Frame is one simulated camera frame.
type Frame struct {
	// Image is the luma plane as the camera delivers it (after JPEG).
	Image *image.Gray
	// Codes holds the texts of the QR codes in view: none, one or two.
	Codes []string
	Setup Setup
}

// Generate renders frame i of the set named by seed. The same seed and index always give
// the same frame.
func Generate(seed uint64, i int) Frame {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	p := drawParams(rng)
	return render(rng, p)
}

// params are the drawn causes of a frame; render derives the rest.
type params struct {
	size     image.Point
	hfov     float64 // radians across
	codes    int
	surface  Surface
	texts    []string
	levels   []qrcode.RecoveryLevel
	modulePx float64 // wanted module size at the code's centre
	roll     float64 // radians
	tilt     float64
	tiltAxis float64
	bend     float64 // sagitta, mm
	fingers  int
	light    Light
	glare    bool    // put the lamp where its reflection falls on the code
	speed    float64 // mm/s of the hand
	autoFoc  bool
	aperture float64 // mm, the lens's entrance pupil
	focusAt  float64 // mm, for a fixed-focus lens
	quality  int
}

var levelNames = map[qrcode.RecoveryLevel]string{qrcode.Low: "L", qrcode.Medium: "M", qrcode.High: "Q", qrcode.Highest: "H"}

func drawParams(rng *rand.Rand) params {
	p := params{size: image.Pt(1280, 720), hfov: rad(60 + 18*rng.Float64())}
	if rng.Float64() < 0.3 {
		p.size = image.Pt(1920, 1080)
	}
	switch u := rng.Float64(); {
	case u < 0.08:
		p.codes = 0
	case u < 0.15:
		p.codes = 2
	default:
		p.codes = 1
	}
	p.surface = Surface(pick(rng, []float64{0.35, 0.25, 0.2, 0.2}))
	if p.codes == 2 && p.surface >= Screen {
		p.surface = Matte // two phones side by side is not how codes come to a counter
	}
	for range max(p.codes, 1) {
		p.texts = append(p.texts, payload(rng))
		p.levels = append(p.levels, []qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest, qrcode.Highest}[rng.IntN(5)])
	}
	// Mostly a card at arm's length, with modules of 1.5 to 4.5 pixels; sometimes a close-up.
	p.modulePx = 1.5 + 3*rng.Float64()
	if rng.Float64() < 0.2 {
		p.modulePx = 4.5 + 4*rng.Float64()
	}
	p.roll = 2 * math.Pi * rng.Float64()
	p.tilt = rad(45 * math.Sqrt(rng.Float64())) // more steep tilts than a uniform draw gives
	p.tiltAxis = 2 * math.Pi * rng.Float64()
	if p.surface <= Glossy && rng.Float64() < 0.5 {
		p.bend = 1 + 4*rng.Float64()
	}
	p.fingers = []int{0, 1, 1, 2}[rng.IntN(4)]
	p.light = Light(pick(rng, []float64{0.5, 0.3, 0.2}))
	p.glare = p.surface != Matte && rng.Float64() < 0.4
	p.speed = rng.ExpFloat64() * 40 // most people hold the card still; some wave it
	p.autoFoc = rng.Float64() < 0.5
	p.aperture = 0.8 + 0.6*rng.Float64()
	p.focusAt = 500 + 700*rng.Float64()
	p.quality = 55 + rng.IntN(38)
	return p
}

// payload returns what a card's QR code holds: a bare card code or its page URL.
func payload(rng *rand.Rand) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	sym := make([]byte, 10, 11)
	for i := range sym {
		sym[i] = alphabet[rng.IntN(32)]
	}
	var code cards.Code
	for _, c := range []byte(alphabet) { // the one check symbol that makes it a valid code
		if got, err := cards.ParseCode(string(append(sym, c))); err == nil {
			code = got
			break
		}
	}
	if rng.Float64() < 0.4 {
		return string(code)
	}
	shops := []string{"https://cafe-lune.merci.shop", "https://b.merci.cards/s/boulangerie-pain-dore", "https://merci.example/c/lavanderia-sol"}
	return cards.URL(shops[rng.IntN(len(shops))], code)
}

func pick(rng *rand.Rand, weights []float64) int {
	u := rng.Float64()
	for i, w := range weights {
		if u < w {
			return i
		}
		u -= w
	}
	return len(weights) - 1
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }
func deg(rad float64) float64 { return rad * 180 / math.Pi }

// jpegRoundTrip compresses g as an MJPEG webcam does and returns what a decoder sees.
func jpegRoundTrip(g *image.Gray, quality int) *image.Gray {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, g, &jpeg.Options{Quality: quality}); err != nil {
		panic(fmt.Sprintf("camsim: jpeg encode: %v", err)) // unreachable: writes to memory
	}
	img, err := jpeg.Decode(&buf)
	if err != nil {
		panic(fmt.Sprintf("camsim: jpeg decode: %v", err))
	}
	return img.(*image.Gray)
}
