package mixture

import (
	"math"
	"testing"

	"phasespace/rng"
)

func TestScoreMatchesFiniteDifference(t *testing.T) {
	m := Isotropic([][]float64{{0, 0}, {1, -0.5}, {-0.7, 0.9}}, 0.4)
	r := rng.New(1, 99)
	x := make([]float64, 2)
	g := make([]float64, 2)
	for trial := 0; trial < 20; trial++ {
		x[0], x[1] = 2*r.NormFloat64(), 2*r.NormFloat64()
		m.Score(g, x)
		for j := range x {
			h := 1e-5
			xp := append([]float64(nil), x...)
			xm := append([]float64(nil), x...)
			xp[j] += h
			xm[j] -= h
			fd := (m.LogProb(xp) - m.LogProb(xm)) / (2 * h)
			if math.Abs(fd-g[j]) > 1e-6*(1+math.Abs(fd)) {
				t.Fatalf("trial %d coord %d: score %v, finite difference %v", trial, j, g[j], fd)
			}
		}
	}
}

func TestLogProbIntegratesToOne(t *testing.T) {
	m := Isotropic([][]float64{{0, 0}, {1, -0.5}}, 0.3)
	h := 0.01
	sum := 0.0
	x := make([]float64, 2)
	for a := -3.0; a < 4; a += h {
		for b := -3.5; b < 3; b += h {
			x[0], x[1] = a, b
			sum += math.Exp(m.LogProb(x)) * h * h
		}
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Fatalf("density integrates to %v", sum)
	}
}

func TestValidate(t *testing.T) {
	m := Isotropic([][]float64{{0}}, 1)
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	m.Components[0].Var[0] = -1
	if m.Validate() == nil {
		t.Fatal("negative variance accepted")
	}
}
