package metrics

import (
	"math"
	"slices"
	"testing"

	"phasespace/rng"
	"phasespace/toy"
)

func draw(t *testing.T, name string, n int, seed uint64) []float64 {
	x, err := toy.Sample(name, n, seed)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// moment-matched Gaussian of y (the "Gauss" columns of docs/metrics.md,
// Noise floors and test thresholds).
func gaussFit(y []float64, n int, seed uint64) []float64 {
	m := len(y) / 2
	var mu [2]float64
	for i := 0; i < m; i++ {
		mu[0] += y[2*i] / float64(m)
		mu[1] += y[2*i+1] / float64(m)
	}
	var c [3]float64
	for i := 0; i < m; i++ {
		a, b := y[2*i]-mu[0], y[2*i+1]-mu[1]
		c[0] += a * a / float64(m)
		c[1] += a * b / float64(m)
		c[2] += b * b / float64(m)
	}
	l11 := math.Sqrt(c[0])
	l21 := c[1] / l11
	l22 := math.Sqrt(c[2] - l21*l21)
	out := make([]float64, 2*n)
	r := rng.New(seed, rng.PurposeEval)
	for i := 0; i < n; i++ {
		e1, e2 := r.NormFloat64(), r.NormFloat64()
		out[2*i] = mu[0] + l11*e1
		out[2*i+1] = mu[1] + l21*e1 + l22*e2
	}
	return out
}

// Floors (max over 10 repeats) and the Gaussian-fit values of
// docs/metrics.md, Noise floors and test thresholds.
func TestFloorsAndGaussianFit(t *testing.T) {
	for _, c := range []struct {
		name                       string
		edFloor, mmdFloor, swFloor float64
		edGauss, mmdGauss, swGauss float64
	}{
		{"8gaussians", 0.0056, 0.0038, 0.167, 0.083, 0.146, 0.552},
		{"diamond", 0.0013, 0.0023, 0.048, 0.012, 0.153, 0.100},
		{"checkerboard", 0.0064, 0.0015, 0.173, 0.029, 0.046, 0.425},
	} {
		x := draw(t, c.name, 2000, 1)
		y := draw(t, c.name, 2000, 2)
		ed, _ := EnergyDistance(x, y, 2)
		mmd, _ := MMD2(x, y, 2)
		sw, _ := SlicedW2(x, y)
		if ed > c.edFloor || mmd > c.mmdFloor || sw > c.swFloor {
			t.Errorf("%s: true vs true ED %v, MMD² %v, SW2 %v above the floors %v, %v, %v", c.name, ed, mmd, sw, c.edFloor, c.mmdFloor, c.swFloor)
		}
		g := gaussFit(y, 2000, 3)
		ed, _ = EnergyDistance(g, y, 2)
		mmd, _ = MMD2(g, y, 2)
		sw, _ = SlicedW2(g, y)
		for _, v := range []struct {
			what      string
			got, want float64
		}{{"ED", ed, c.edGauss}, {"MMD²", mmd, c.mmdGauss}, {"SW2", sw, c.swGauss}} {
			if math.Abs(v.got-v.want) > 0.3*v.want {
				t.Errorf("%s: Gaussian fit %s = %v, want ≈ %v", c.name, v.what, v.got, v.want)
			}
		}
	}
}

func TestShiftIsDetected(t *testing.T) {
	x := draw(t, "diamond", 1000, 4)
	y := draw(t, "diamond", 1000, 5)
	for i := range x {
		x[i] += 0.1
	}
	ed, _ := EnergyDistance(x, y, 2)
	mmd, _ := MMD2(x, y, 2)
	if !(ed > 0.01 && mmd > 0.05) {
		t.Errorf("shift by 0.1: ED %v, MMD² %v", ed, mmd)
	}
	if _, err := EnergyDistance(x[:1], y, 2); err == nil {
		t.Error("single sample accepted")
	}
}

func TestModeMetrics(t *testing.T) {
	mix, _ := toy.Mixture("8gaussians")
	x := draw(t, "8gaussians", 2500, 6)
	m := ModeMetrics(x, mix)
	if m.Captured != 8 || m.HighQuality < 0.98 || m.KL > 0.01 {
		t.Fatalf("true samples: %+v", m)
	}
	// Keep only samples in the right half-plane: 3 (or 4) modes lost, KL up.
	var half []float64
	for i := 0; i < len(x)/2; i++ {
		if x[2*i] > 0.5 {
			half = append(half, x[2*i], x[2*i+1])
		}
	}
	h := ModeMetrics(half, mix)
	if h.Captured > 5 || h.KL < 0.3 {
		t.Fatalf("half the modes: %+v", h)
	}
	// Noise far from every mode is low quality.
	far := []float64{10, 10, -10, 10}
	if f := ModeMetrics(far, mix); f.HighQuality != 0 || f.Captured != 0 {
		t.Fatalf("far samples: %+v", f)
	}
}

// MMDBandwidthFactors hands out a copy: writing to it changes neither the
// next copy nor MMD2.
func TestMMDBandwidthFactorsIsACopy(t *testing.T) {
	x := []float64{0, 0, 1, 0, 0, 1, 1, 1}
	y := []float64{0.5, 0, 1, 0.5, 0, 0.2, 2, 1}
	before, err := MMD2(x, y, 2)
	if err != nil {
		t.Fatal(err)
	}
	f := MMDBandwidthFactors()
	want := []float64{0.05, 0.1, 0.2, 0.5, 1} // docs/metrics.md
	if !slices.Equal(f, want) {
		t.Fatalf("MMDBandwidthFactors() = %v, want %v", f, want)
	}
	for i := range f {
		f[i] = 100
	}
	after, _ := MMD2(x, y, 2)
	if after != before || !slices.Equal(MMDBandwidthFactors(), want) {
		t.Fatalf("writing to the returned slice changed the factors: MMD² %v -> %v, factors %v", before, after, MMDBandwidthFactors())
	}
}

func TestModesString(t *testing.T) {
	m := Modes{Captured: 7, Total: 8, HighQuality: 0.9843, KL: 0.008841556}
	if got, want := m.String(), "7/8 modes, 98.4% high quality, KL 0.0088"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
