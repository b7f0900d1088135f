package toy

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"phasespace/mixture"
	"phasespace/rng"
)

// generator draws one sample into p from r.
type generator func(r *rand.Rand, p []float64)

var generators = map[string]generator{
	"swissroll":            swissroll,
	"circles":              circles,
	"rings":                rings,
	"moons":                moons,
	"8gaussians":           mixtureGen("8gaussians"),
	"pinwheel":             pinwheel,
	"2spirals":             spirals,
	"checkerboard":         checkerboard,
	"multimodal_swissroll": multimodalSwissroll,
	"diamond":              mixtureGen("diamond"),
	"gaussian":             mixtureGen("gaussian"),
}

// Names returns the data set names, sorted.
func Names() []string {
	out := make([]string, 0, len(generators))
	for n := range generators {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Sample returns n samples of the named data set as a row-major n×2 slice
// (definitions: docs/metrics.md, Toy data sets). Sample i depends only on
// (seed, i). It returns an error for an unknown name (listing the valid
// ones) or n < 0.
func Sample(name string, n int, seed uint64) ([]float64, error) {
	g, ok := generators[name]
	if !ok {
		return nil, fmt.Errorf("toy: unknown toy data set %q (valid: %s)", name, strings.Join(Names(), ", "))
	}
	if n < 0 {
		return nil, fmt.Errorf("toy: n = %d, want >= 0", n)
	}
	out := make([]float64, 2*n)
	// One reusable stream, reset to rng.New(seed, PurposeData, i) per
	// sample: the same draws without two allocations per sample.
	r := rng.NewStream()
	for i := 0; i < n; i++ {
		r.Reset(seed, rng.PurposeData, uint64(i))
		g(r.Rand, out[2*i:2*i+2])
	}
	return out, nil
}

// Mixture returns the exact Gaussian mixture of 8gaussians, diamond and
// gaussian (a single isotropic N(0, 0.5·I), the data of docs/method.md,
// Gaussian sanity check of the samplers). Definitions: docs/metrics.md, Toy
// data sets. ok is false for the other data sets.
func Mixture(name string) (*mixture.Mixture, bool) {
	switch name {
	case "8gaussians":
		var means [][]float64
		for k := 0; k < 8; k++ {
			a := float64(k) * math.Pi / 4
			means = append(means, []float64{4 * math.Cos(a) / 1.414, 4 * math.Sin(a) / 1.414})
		}
		return mixture.Isotropic(means, 0.5/1.414), true
	case "diamond":
		var means [][]float64
		for _, a := range []float64{-0.5, 0, 0.5} {
			for _, b := range []float64{-0.5, 0, 0.5} {
				// Row vector (a, b) times [[1, −1], [1, 1]]/√2.
				means = append(means, []float64{(a + b) / math.Sqrt2, (b - a) / math.Sqrt2})
			}
		}
		return mixture.Isotropic(means, 0.04), true
	case "gaussian":
		return mixture.Isotropic([][]float64{{0, 0}}, math.Sqrt(0.5)), true
	}
	return nil, false
}

// ModeStd returns the component standard deviation of a mixture data set.
func ModeStd(name string) (float64, bool) {
	m, ok := Mixture(name)
	if !ok {
		return 0, false
	}
	return math.Sqrt(m.Components[0].Var[0]), true
}

// LogProb returns the exact log-density at x for the mixtures and
// checkerboard; ok is false for data sets without a closed form.
func LogProb(name string, x []float64) (lp float64, ok bool) {
	if m, isMix := Mixture(name); isMix {
		return m.LogProb(x), true
	}
	if name == "checkerboard" {
		if inCheckerboard(x[0], x[1]) {
			return -math.Log(32), true
		}
		return math.Inf(-1), true
	}
	return 0, false
}

// inCheckerboard reports whether (x, y) lies in one of the 8 occupied 2×2
// cells of [−4, 4]²: cell (i, j) = (⌊x/2⌋, ⌊y/2⌋) is occupied when i + j is even.
func inCheckerboard(x, y float64) bool {
	if x < -4 || x >= 4 || y < -4 || y >= 4 {
		return false
	}
	i := int(math.Floor(x / 2))
	j := int(math.Floor(y / 2))
	return (i+j)%2 == 0
}

func mixtureGen(name string) generator {
	m, _ := Mixture(name)
	return func(r *rand.Rand, p []float64) { m.SampleOne(p, r) }
}

// swissroll: t ~ U(1.5π, 4.5π), (t cos t, t sin t)/5 + N(0, 0.2²).
func swissroll(r *rand.Rand, p []float64) {
	t := 1.5*math.Pi + 3*math.Pi*r.Float64()
	p[0] = t*math.Cos(t)/5 + 0.2*r.NormFloat64()
	p[1] = t*math.Sin(t)/5 + 0.2*r.NormFloat64()
}

// circles: radius 3 or 1.5 with probability ½ each, uniform angle, N(0, 0.24²).
func circles(r *rand.Rand, p []float64) {
	rad := 3.0
	if r.Float64() < 0.5 {
		rad = 1.5
	}
	a := 2 * math.Pi * r.Float64()
	p[0] = rad*math.Cos(a) + 0.24*r.NormFloat64()
	p[1] = rad*math.Sin(a) + 0.24*r.NormFloat64()
}

// rings: radii 3, 2.25, 1.5, 0.75 with equal probability, uniform angle, N(0, 0.08²).
func rings(r *rand.Rand, p []float64) {
	rad := []float64{3, 2.25, 1.5, 0.75}[r.IntN(4)]
	a := 2 * math.Pi * r.Float64()
	p[0] = rad*math.Cos(a) + 0.08*r.NormFloat64()
	p[1] = rad*math.Sin(a) + 0.08*r.NormFloat64()
}

// moons: sklearn's two half circles (noise 0.1), then ×2 + (−1, −0.2).
func moons(r *rand.Rand, p []float64) {
	th := math.Pi * r.Float64()
	var x, y float64
	if r.Float64() < 0.5 {
		x, y = math.Cos(th), math.Sin(th)
	} else {
		x, y = 1-math.Cos(th), 1-math.Sin(th)-0.5
	}
	x += 0.1 * r.NormFloat64()
	y += 0.1 * r.NormFloat64()
	p[0], p[1] = 2*x-1, 2*y-0.2
}

// pinwheel: 5 arms; f = (1 + 0.3ε₁, 0.1ε₂), a = 2πk/5 + 0.25·exp(f₁), rotated, ×2.
func pinwheel(r *rand.Rand, p []float64) {
	k := r.IntN(5)
	f1 := 1 + 0.3*r.NormFloat64()
	f2 := 0.1 * r.NormFloat64()
	a := 2*math.Pi*float64(k)/5 + 0.25*math.Exp(f1)
	c, s := math.Cos(a), math.Sin(a)
	p[0] = 2 * (f1*c + f2*s)
	p[1] = 2 * (-f1*s + f2*c)
}

// 2spirals: s = √U·3π, d = (−s cos s + U(0, 0.5), s sin s + U(0, 0.5)),
// either d or −d, ÷3, + N(0, 0.1²).
func spirals(r *rand.Rand, p []float64) {
	s := math.Sqrt(r.Float64()) * 3 * math.Pi
	x := -s*math.Cos(s) + 0.5*r.Float64()
	y := s*math.Sin(s) + 0.5*r.Float64()
	if r.Float64() < 0.5 {
		x, y = -x, -y
	}
	p[0] = x/3 + 0.1*r.NormFloat64()
	p[1] = y/3 + 0.1*r.NormFloat64()
}

// checkerboard: x₁ ~ U(−2, 2), x₂ = U(0,1) − 2·Bernoulli(½) + (⌊x₁⌋ mod 2), ×2.
func checkerboard(r *rand.Rand, p []float64) {
	x1 := 4*r.Float64() - 2
	x2 := r.Float64()
	if r.Float64() < 0.5 {
		x2 -= 2
	}
	m := math.Mod(math.Floor(x1), 2)
	if m < 0 {
		m += 2 // Python's modulo: ⌊x₁⌋ mod 2 ∈ {0, 1}
	}
	x2 += m
	p[0], p[1] = 2*x1, 2*x2
}

// multimodalSwissroll: 5 small Swiss rolls (0.01·(t cos t, t sin t) +
// N(0, 0.002²)), one at the origin and four shifted to (±0.8, ±0.8).
func multimodalSwissroll(r *rand.Rand, p []float64) {
	shifts := [5][2]float64{{0, 0}, {0.8, 0.8}, {0.8, -0.8}, {-0.8, -0.8}, {-0.8, 0.8}}
	k := r.IntN(5)
	t := 1.5 * math.Pi * (1 + 2*r.Float64())
	p[0] = 0.01*t*math.Cos(t) + 0.002*r.NormFloat64() + shifts[k][0]
	p[1] = 0.01*t*math.Sin(t) + 0.002*r.NormFloat64() + shifts[k][1]
}
