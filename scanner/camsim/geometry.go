package camsim

import "math"

type vec [3]float64

func (a vec) add(b vec) vec         { return vec{a[0] + b[0], a[1] + b[1], a[2] + b[2]} }
func (a vec) sub(b vec) vec         { return vec{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func (a vec) mul(k float64) vec     { return vec{a[0] * k, a[1] * k, a[2] * k} }
func (a vec) dot(b vec) float64     { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func (a vec) unit() vec             { return a.mul(1 / math.Sqrt(a.dot(a))) }
func reflect(d, n vec) vec          { return d.sub(n.mul(2 * d.dot(n))) }
func angleBetween(a, b vec) float64 { return math.Acos(max(-1, min(1, a.unit().dot(b.unit())))) }

// mat is a rotation; its columns are the object's axes in camera coordinates.
type mat [3][3]float64

func (m mat) apply(v vec) vec {
	return vec{m[0][0]*v[0] + m[0][1]*v[1] + m[0][2]*v[2],
		m[1][0]*v[0] + m[1][1]*v[1] + m[1][2]*v[2],
		m[2][0]*v[0] + m[2][1]*v[1] + m[2][2]*v[2]}
}

// inverse applies the transpose, the inverse of a rotation.
func (m mat) inverse(v vec) vec {
	return vec{m[0][0]*v[0] + m[1][0]*v[1] + m[2][0]*v[2],
		m[0][1]*v[0] + m[1][1]*v[1] + m[2][1]*v[2],
		m[0][2]*v[0] + m[1][2]*v[1] + m[2][2]*v[2]}
}

func (m mat) times(n mat) mat {
	var r mat
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				r[i][j] += m[i][k] * n[k][j]
			}
		}
	}
	return r
}

// axisRotation turns by angle a about the unit axis u (Rodrigues).
func axisRotation(u vec, a float64) mat {
	c, s := math.Cos(a), math.Sin(a)
	t := 1 - c
	x, y, z := u[0], u[1], u[2]
	return mat{
		{t*x*x + c, t*x*y - s*z, t*x*z + s*y},
		{t*x*y + s*z, t*y*y + c, t*y*z - s*x},
		{t*x*z - s*y, t*y*z + s*x, t*z*z + c},
	}
}

// camera is a pinhole camera at the origin looking along +z, image y down.
type camera struct {
	w, h int
	f    float64 // focal length in pixels
}

func (c camera) ray(x, y float64) vec {
	return vec{(x - float64(c.w)/2) / c.f, (y - float64(c.h)/2) / c.f, 1}
}

func (c camera) project(p vec) (x, y float64) {
	return float64(c.w)/2 + c.f*p[0]/p[2], float64(c.h)/2 + c.f*p[1]/p[2]
}

// surface is a card or phone in space: a plane, or a cylinder z' = c·x'² for a bent
// card, in its own coordinates (x' across, y' down, z' away from the camera), placed by
// rot and pos.
type surface struct {
	rot  mat
	pos  vec
	bend float64 // c, 1/mm
}

// hit traces the camera ray d and returns where it meets the surface in the surface's
// printed coordinates (u along the curve, v down, mm), the unit normal facing the camera,
// and the depth.
func (s surface) hit(d vec) (u, v float64, n vec, z float64, ok bool) {
	o := s.rot.inverse(s.pos.mul(-1))
	dl := s.rot.inverse(d)
	var t float64
	if s.bend == 0 {
		if dl[2] == 0 {
			return 0, 0, n, 0, false
		}
		t = -o[2] / dl[2]
	} else {
		// o.z + t d.z = c (o.x + t d.x)²
		c := s.bend
		a := c * dl[0] * dl[0]
		b := 2*c*o[0]*dl[0] - dl[2]
		cc := c*o[0]*o[0] - o[2]
		if math.Abs(a) < 1e-12 {
			t = -cc / b
		} else {
			disc := b*b - 4*a*cc
			if disc < 0 {
				return 0, 0, n, 0, false
			}
			sq := math.Sqrt(disc)
			t1, t2 := (-b-sq)/(2*a), (-b+sq)/(2*a)
			t = min(t1, t2)
			if t <= 0 {
				t = max(t1, t2)
			}
		}
	}
	if t <= 0 {
		return 0, 0, n, 0, false
	}
	x, y := o[0]+t*dl[0], o[1]+t*dl[1]
	u = arcLength(s.bend, x)
	nl := vec{2 * s.bend * x, 0, -1}.unit()
	return u, y, s.rot.apply(nl), t * d[2], true
}

// point returns the camera coordinates of printed point (u, v), inverting the arc length
// numerically (a few Newton steps suffice for the gentle bends of a card).
func (s surface) point(u, v float64) vec {
	x := u
	for range 4 {
		x -= (arcLength(s.bend, x) - u) / math.Sqrt(1+4*s.bend*s.bend*x*x)
	}
	return s.pos.add(s.rot.apply(vec{x, v, s.bend * x * x}))
}

// arcLength is the length along z = c·x² from 0 to x: what is printed at u lies at x.
func arcLength(c, x float64) float64 {
	if c == 0 {
		return x
	}
	k := 2 * c * x
	return (x*math.Sqrt(1+k*k) + math.Asinh(k)/(2*c)) / 2
}
