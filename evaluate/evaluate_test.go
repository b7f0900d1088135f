package evaluate

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"phasespace/exact"
	"phasespace/rng"
	"phasespace/sde"
	"phasespace/toy"
)

// TestFloorIsTheIndependentDraw: samples that are exactly the floor's data
// draw must score exactly the floor.
func TestFloorIsTheIndependentDraw(t *testing.T) {
	x, _ := toy.Sample("diamond", 200, rng.Key(11, rng.PurposeEval, 2))
	r, err := Samples(x, SampleConfig{Data: "diamond", N: 300, Seed: 11, Metrics: []SampleMetric{ED, MMD, SW2, Modes}})
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]*Measure{"ed": r.ED, "mmd2": r.MMD2, "sw2": r.SW2} {
		if m == nil || m.Value != m.Floor {
			t.Errorf("%s: %+v, want value == floor", name, m)
		}
	}
	if r.Modes == nil || r.Modes.Value != r.Modes.Floor || r.Samples != 200 || r.DataN != 300 {
		t.Errorf("modes %+v, samples %d, data %d", r.Modes, r.Samples, r.DataN)
	}
	// A shifted sample set is measurably worse than the floor.
	for i := range x {
		x[i] += 0.5
	}
	r, _ = Samples(x, SampleConfig{Data: "diamond", N: 300, Seed: 11})
	if !(r.MMD2.Value > 10*math.Abs(r.MMD2.Floor)) || r.Modes != nil {
		t.Errorf("shifted samples: MMD² %v vs floor %v (modes %v, not requested)", r.MMD2.Value, r.MMD2.Floor, r.Modes)
	}
}

// TestNLLOfTheExactVPScore: the probability-flow ODE of the exact score of
// a Gaussian recovers the data's own NLL on the same points, up to the
// solver tolerance and the ε start time.
func TestNLLOfTheExactVPScore(t *testing.T) {
	p, _ := sde.NewVP(sde.DefaultVP())
	mix, _ := toy.Mixture("gaussian")
	o, err := exact.New(p, mix)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NLL(p, o, "gaussian", NLLConfig{N: 20, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.TrueNLL == nil || math.Abs(r.NLL-*r.TrueNLL) > 2e-3 || r.Bound != BoundExact || r.N != 20 {
		t.Errorf("NLL %v (bound %v, n %d), data's own NLL %v", r.NLL, r.Bound, r.N, r.TrueNLL)
	}
	pc, _ := sde.NewCLD(sde.DefaultCLD())
	oc, _ := exact.New(pc, mix)
	rc, err := NLL(pc, oc, "gaussian", NLLConfig{N: 20, Seed: 2, IW: 3, RTol: 1e-3, ATol: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	// A bound: never below the true NLL beyond the solver's error.
	if rc.Bound != BoundImportanceWeighted || rc.BoundText() != "importance-weighted, K=3" || rc.NLL < *rc.TrueNLL-0.05 {
		t.Errorf("CLD IW bound %v (%s) vs true %v", rc.NLL, rc.BoundText(), *rc.TrueNLL)
	}
}

func TestErrorsAndNames(t *testing.T) {
	x, _ := toy.Sample("8gaussians", 10, 1)
	for name, err := range map[string]error{
		"unknown metric": func() error {
			_, err := Samples(x, SampleConfig{Data: "8gaussians", Metrics: []SampleMetric{9}})
			return err
		}(),
		"unknown data": func() error { _, err := Samples(x, SampleConfig{Data: "blobs"}); return err }(),
		"modes": func() error {
			_, err := Samples(x, SampleConfig{Data: "moons", Metrics: []SampleMetric{Modes}})
			return err
		}(),
		"odd length": func() error { _, err := Samples(x[:5], SampleConfig{Data: "8gaussians"}); return err }(),
		"iw":         func() error { _, err := LikelihoodOf(nil, nil, x, NLLConfig{IW: -1}); return err }(),
		"divergence": func() error { _, err := LikelihoodOf(nil, nil, x, NLLConfig{Divergence: 5}); return err }(),
	} {
		if err == nil || !strings.HasPrefix(err.Error(), "evaluate: ") || strings.Contains(err.Error(), "--") {
			t.Errorf("%s: error %v, want one starting with evaluate: and naming no flag", name, err)
		}
	}
	for m := ED; m <= Modes; m++ {
		if got, err := ParseSampleMetric(m.String()); err != nil || got != m {
			t.Errorf("ParseSampleMetric(%v) = %v, %v", m, got, err)
		}
	}
	for m := FD; m <= Classes; m++ {
		if got, err := ParseFeatureMetric(m.String()); err != nil || got != m {
			t.Errorf("ParseFeatureMetric(%v) = %v, %v", m, got, err)
		}
	}
	for b := BoundExact; b <= BoundImportanceWeighted; b++ {
		if got, err := ParseBound(b.String()); err != nil || got != b {
			t.Errorf("ParseBound(%v) = %v, %v", b, got, err)
		}
	}
	if _, err := ParseSampleMetric("mmd2"); err == nil {
		t.Error("ParseSampleMetric(mmd2) accepted")
	}
	// Values outside the enumerations print as "Type(n)", which no parser
	// accepts; the errors start with evaluate:.
	for _, c := range []struct {
		got, want string
		parse     func(string) error
	}{
		{SampleMetric(0).String(), "SampleMetric(0)", func(s string) error { _, err := ParseSampleMetric(s); return err }},
		{SampleMetric(Modes + 1).String(), "SampleMetric(5)", func(s string) error { _, err := ParseSampleMetric(s); return err }},
		{FeatureMetric(0).String(), "FeatureMetric(0)", func(s string) error { _, err := ParseFeatureMetric(s); return err }},
		{FeatureMetric(Classes + 1).String(), "FeatureMetric(5)", func(s string) error { _, err := ParseFeatureMetric(s); return err }},
		{Bound(0).String(), "Bound(0)", func(s string) error { _, err := ParseBound(s); return err }},
		{Bound(BoundImportanceWeighted + 1).String(), "Bound(4)", func(s string) error { _, err := ParseBound(s); return err }},
	} {
		if c.got != c.want {
			t.Errorf("String of a value outside the enumeration = %q, want %q", c.got, c.want)
		}
		if err := c.parse(c.got); err == nil || !strings.HasPrefix(err.Error(), "evaluate: ") {
			t.Errorf("parsing %q: %v, want an evaluate: error", c.got, err)
		}
	}
}

func TestParseMetrics(t *testing.T) {
	m, err := ParseMetrics(" kid,nll, ed,ed,modes,bpd,classes")
	if err != nil {
		t.Fatal(err)
	}
	want := Metrics{Sample: []SampleMetric{ED, Modes}, Feature: []FeatureMetric{KID, Classes}, NLL: true, BPD: true}
	if !reflect.DeepEqual(m, want) || m.String() != "nll,bpd,ed,modes,kid,classes" {
		t.Errorf("parsed %+v (%s), want %+v", m, m, want)
	}
	all, err := ParseMetrics(strings.Join(MetricNames(), ","))
	if err != nil || all.String() != strings.Join(MetricNames(), ",") || len(all.Sample) != 4 || len(all.Feature) != 4 {
		t.Errorf("every name: %+v, %v", all, err)
	}
	for _, bad := range []string{"fid", "", "ED", "nll,"} {
		if _, err := ParseMetrics(bad); err == nil || !strings.HasPrefix(err.Error(), "evaluate: ") {
			t.Errorf("ParseMetrics(%q): %v, want an evaluate: error", bad, err)
		}
	}
}
