package sampler

import (
	"errors"
	"math"
	"strings"
	"testing"

	"phasespace/score"
	"phasespace/sde"
)

// TestNonFiniteDetection: a model that returns NaN below t = 0.5 stops the
// run with an error naming the quantity, step and time.
func TestNonFiniteDetection(t *testing.T) {
	t.Parallel()
	for _, p := range processes(t) {
		o := toyOracle(t, p, "8gaussians")
		bad := score.Func{D: 2, F: func(tt float64, x, v, sx, sv []float64) {
			o.Score(tt, x, v, sx, sv)
			if tt < 0.5 {
				sx[3] = math.NaN()
				if sv != nil {
					sv[3] = math.NaN()
				}
			}
		}}
		for _, m := range []Method{EM, SSCS, ODE} {
			_, _, err := Sample(Config{Process: p, Model: bad, Method: m, NFE: 10, Seed: 1}, 8)
			if !errors.Is(err, ErrNonFinite) {
				t.Fatalf("%v %v: err = %v, want ErrNonFinite", p.Kind, m, err)
			}
			msg := err.Error()
			for _, w := range []string{"score", "sample 1", "t = "} {
				if !strings.Contains(msg, w) {
					t.Errorf("%v %v: error %q does not name %q", p.Kind, m, msg, w)
				}
			}
		}
	}
	// A state that overflows: a finite but huge score and one step of
	// size ≈ 1 push x past MaxFloat64.
	p := processes(t)[0]
	huge := score.Func{D: 1, F: func(tt float64, x, v, sx, sv []float64) {
		for i := range sx {
			sx[i] = math.MaxFloat64
		}
	}}
	_, _, err := Sample(Config{Process: p, Model: huge, Method: EM, NFE: 2}, 4)
	if !errors.Is(err, ErrNonFinite) || !strings.Contains(err.Error(), "position x") {
		t.Errorf("overflowing state: err = %v, want ErrNonFinite naming position x", err)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	p := processes(t)[1]
	o := toyOracle(t, p, "diamond")
	for _, c := range []struct {
		name string
		cfg  Config
		n    int
		want string
	}{
		{"no process", Config{Model: o, Method: EM, NFE: 10}, 1, "Process"},
		{"no model", Config{Process: p, Method: EM, NFE: 10}, 1, "Model"},
		{"no method", Config{Process: p, Model: o, NFE: 10}, 1, "method"},
		{"nfe 1 with denoising", Config{Process: p, Model: o, Method: EM, NFE: 1}, 1, "nfe = 1"},
		{"nfe 0 without", Config{Process: p, Model: o, Method: SSCS, NFE: 0, NoDenoise: true}, 1, "nfe = 0"},
		{"eps 1", Config{Process: p, Model: o, Method: EM, NFE: 10, Eps: 1}, 1, "eps"},
		{"negative eps", Config{Process: p, Model: o, Method: EM, NFE: 10, Eps: -1e-3}, 1, "eps"},
		{"rtol", Config{Process: p, Model: o, Method: ODE, RTol: -1}, 1, "rtol"},
		{"n", Config{Process: p, Model: o, Method: EM, NFE: 10}, 0, "n = 0"},
		{"striding", Config{Process: p, Model: o, Method: EM, NFE: 10, Striding: 7}, 1, "striding"},
		{"first", Config{Process: p, Model: o, Method: EM, NFE: 10, FirstIndex: -1}, 1, "FirstIndex"},
		{"score time", Config{Process: p, Model: o, Method: SSCS, NFE: 10, SSCSScore: 3}, 1, "SSCSScore ScoreTime(3)"},
		{"half-step beta", Config{Process: p, Model: o, Method: SSCS, NFE: 10, SSCSBeta: -1}, 1, "SSCSBeta HalfStepBeta(-1)"},
	} {
		_, _, err := Sample(c.cfg, c.n)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// TestUnknownKind: a Process whose Kind is not VP, CLD or PSLD is an error
// for every method, never sampled as if it were PSLD.
func TestUnknownKind(t *testing.T) {
	t.Parallel()
	psld := processes(t)[2]
	o := toyOracle(t, psld, "diamond")
	bad := *psld
	bad.Kind = sde.PSLD + 1
	for _, m := range []Method{EM, SSCS, ODE} {
		_, _, err := Sample(Config{Process: &bad, Model: o, Method: m, NFE: 10}, 1)
		if err == nil || !strings.Contains(err.Error(), "unknown SDE kind") {
			t.Errorf("%v: err = %v, want an unknown-kind error", m, err)
		}
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	for _, m := range []Method{EM, SSCS, ODE} {
		if got, err := ParseMethod(m.String()); err != nil || got != m {
			t.Errorf("ParseMethod(%q) = %v, %v", m.String(), got, err)
		}
	}
	for _, s := range []Striding{Uniform, Quadratic} {
		if got, err := ParseStriding(s.String()); err != nil || got != s {
			t.Errorf("ParseStriding(%q) = %v, %v", s.String(), got, err)
		}
	}
	if _, err := ParseMethod("heun"); err == nil {
		t.Error("ParseMethod accepted heun")
	}
	if _, err := ParseStriding("cubic"); err == nil {
		t.Error("ParseStriding accepted cubic")
	}
}

// TestParseSSCSConventions: the command-line names round-trip and unknown
// names are errors that list the valid ones.
func TestParseSSCSConventions(t *testing.T) {
	for _, st := range []ScoreTime{ScoreAtMidpoint, ScoreAtStart} {
		if got, err := ParseScoreTime(st.String()); err != nil || got != st {
			t.Errorf("ParseScoreTime(%q) = %v, %v", st.String(), got, err)
		}
	}
	for _, hb := range []HalfStepBeta{BetaPerHalf, BetaFirstHalfTwice} {
		if got, err := ParseHalfStepBeta(hb.String()); err != nil || got != hb {
			t.Errorf("ParseHalfStepBeta(%q) = %v, %v", hb.String(), got, err)
		}
	}
	if _, err := ParseScoreTime("end"); err == nil || !strings.Contains(err.Error(), "midpoint, start") {
		t.Errorf("ParseScoreTime(\"end\"): err = %v", err)
	}
	if _, err := ParseHalfStepBeta("twice"); err == nil || !strings.Contains(err.Error(), "per-half, first-half") {
		t.Errorf("ParseHalfStepBeta(\"twice\"): err = %v", err)
	}
}
