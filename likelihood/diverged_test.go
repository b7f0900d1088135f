package likelihood

import (
	"errors"
	"math"
	"strings"
	"testing"

	"phasespace/ode"
	"phasespace/sde"
)

// linearScore is s(t, x) = λx, with s = NaN for one data point (bad ≥ 0).
// λ = 1e30 is the stiff, finite score of a diverged network: the drift
// −½β(t)·λx of the probability-flow ODE needs steps of order 1/(βλ), far
// below the resolution of t near 1e-5.
type linearScore struct {
	lambda float64
	bad    int
}

func (linearScore) Dim() int { return 2 }

func (m linearScore) Score(t float64, x, v, sx, sv []float64) {
	for i := range x {
		sx[i] = m.lambda * x[i]
		if i/2 == m.bad {
			sx[i] = math.NaN()
		}
	}
}

func (m linearScore) ScoreVJP(t float64, x, v, wx, wv, sx, sv, gx, gv []float64) {
	m.Score(t, x, v, sx, sv)
	for i := range wx {
		gx[i] = m.lambda * wx[i]
	}
}

// A diverged model's likelihood fails with an error that blames the
// model's score (unstable or not finite), says at which time and which data
// point, and keeps the solver's error for errors.Is.
func TestDivergedModelErrorNamesTheScore(t *testing.T) {
	p, err := sde.NewVP(sde.DefaultVP())
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.1, 0.2, -0.3, 0.4, 1.5, -2}
	// Stiff but finite: the step size underflows at the first step.
	_, err = NLL(Config{Process: p, Model: linearScore{lambda: 1e30, bad: -1}, Solve: ode.Integrate}, x)
	if err == nil {
		t.Fatal("a score of 1e30·x was integrated")
	}
	msg := err.Error()
	for _, want := range []string{"score is unstable", "t = 1e-05", "data point 2", "diverged"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stiff score: %q lacks %q", msg, want)
		}
	}
	if !errors.Is(err, ode.ErrStepUnderflow) {
		t.Errorf("stiff score: %v does not wrap ode.ErrStepUnderflow", err)
	}
	// Non-finite for data point 1.
	_, err = NLL(Config{Process: p, Model: linearScore{lambda: -1, bad: 1}, Solve: ode.Integrate}, x)
	if err == nil {
		t.Fatal("a NaN score was integrated")
	}
	msg = err.Error()
	for _, want := range []string{"score is not finite", "t = 1e-05", "data point 1", "diverged"} {
		if !strings.Contains(msg, want) {
			t.Errorf("NaN score: %q lacks %q", msg, want)
		}
	}
	if !errors.Is(err, ode.ErrNonFinite) {
		t.Errorf("NaN score: %v does not wrap ode.ErrNonFinite", err)
	}
}
