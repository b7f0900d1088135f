package objective

import (
	"math"
	"strings"
	"testing"

	"phasespace/exact"
	"phasespace/mixture"
	"phasespace/sde"
)

func configs(t *testing.T) []*Config {
	t.Helper()
	vp, _ := sde.NewVP(sde.DefaultVP())
	cld, _ := sde.NewCLD(sde.CLDConfig{Schedule: sde.Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04, NumericalEps: 1e-6})
	psld, _ := sde.NewPSLD(sde.PSLDConfig{Schedule: sde.Schedule{Beta0: 8}, Gamma: 0.01, Nu: 4.01, Kappa: 0.04, NumericalEps: 1e-6})
	psld0, _ := sde.NewPSLD(sde.PSLDConfig{Schedule: sde.Schedule{Beta0: 8}, Gamma: 0, Nu: 4, Kappa: 0.04, NumericalEps: 1e-6})
	var out []*Config
	for _, w := range []Weighting{WeightEps, WeightML} {
		out = append(out, &Config{Process: vp, Weighting: w, LossEps: 1e-3})
		for _, o := range []sde.Objective{sde.HSM, sde.DSM} {
			out = append(out,
				&Config{Process: cld, Objective: o, Weighting: w, MixedScore: true, LossEps: 1e-3},
				&Config{Process: cld, Objective: o, Weighting: w, MixedScore: false, LossEps: 1e-3},
				&Config{Process: psld, Objective: o, Weighting: w, LossEps: 1e-3},
				&Config{Process: psld0, Objective: o, Weighting: w, LossEps: 1e-3},
				&Config{Process: cld, Objective: o, Weighting: w, Param: sde.FactorR, LossEps: 1e-3},
				&Config{Process: psld, Objective: o, Weighting: w, Param: sde.FactorR, LossEps: 1e-3},
				&Config{Process: psld0, Objective: o, Weighting: w, Param: sde.FactorR, LossEps: 1e-3})
		}
	}
	out = append(out, &Config{Process: cld, Objective: sde.DSM, Weighting: WeightML, Param: sde.FactorR, LossEps: 1e-3, ImportanceT: true})
	for _, c := range out {
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func name(c *Config) string {
	s := c.Process.String() + "/" + c.Objective.String() + "/" + c.Weighting.String() + "/param " + c.EffectiveParam().String()
	if c.ImportanceT {
		s += "/importance-t"
	}
	return s
}

// oracleNet is a "network" that outputs the exact optimum: the output whose
// score is the oracle's marginal score.
type oracleNet struct {
	c *Config
	o *exact.Oracle
	d int
}

func (n *oracleNet) Forward(input, tt []float32, batch int, train bool) []float32 {
	d, c := n.d, n.c
	inDim, outDim := c.InDim(d), c.OutDim(d)
	out := make([]float32, batch*outDim)
	x := make([]float64, d)
	var v []float64
	if inDim == 2*d {
		v = make([]float64, d)
	}
	sx, sv := make([]float64, d), make([]float64, d)
	for i := 0; i < batch; i++ {
		for j := 0; j < d; j++ {
			x[j] = float64(input[i*inDim+j])
			if v != nil {
				v[j] = float64(input[i*inDim+d+j])
			}
		}
		t := float64(tt[i])
		var svv []float64
		if v != nil {
			svv = sv
		}
		n.o.Score(t, x, v, sx, svv)
		pa, err := c.paramAt(t)
		if err != nil {
			panic(err)
		}
		for j := 0; j < d; j++ {
			var vv float64
			if v != nil {
				vv = v[j]
			}
			ox, ov := pa.targetOf(x[j], vv, sx[j], sv[j])
			switch {
			case outDim == 2*d:
				out[i*outDim+j], out[i*outDim+d+j] = float32(ox), float32(ov)
			case inDim == d:
				out[i*outDim+j] = float32(ox)
			default:
				out[i*outDim+j] = float32(ov)
			}
		}
	}
	return out
}

func gaussData() *mixture.Mixture { return mixture.Isotropic([][]float64{{0.3, -0.2}}, 0.7) }

func TestParameterisationRoundTrip(t *testing.T) {
	for _, c := range configs(t) {
		for _, tt := range []float64{1e-3, 0.1, 0.9} {
			pa, err := c.paramAt(tt)
			if err != nil {
				t.Fatal(err)
			}
			x, v, sx, sv := 0.4, -0.3, 1.7, -2.2
			ox, ov := pa.targetOf(x, v, sx, sv)
			gx, gv := pa.scoreOf(x, v, ox, ov)
			switch {
			case c.Process.Kind == sde.VP:
				sv, gv = 0, 0
			case !c.FullScore():
				sx, gx = 0, 0 // only the velocity score is parameterised
			}
			if math.Abs(gx-sx) > 1e-9*math.Abs(sx)+1e-12 || math.Abs(gv-sv) > 1e-9*math.Abs(sv)+1e-12 {
				t.Errorf("%s t=%v: score (%v, %v) → output (%v, %v) → score (%v, %v)", name(c), tt, sx, sv, ox, ov, gx, gv)
			}
		}
	}
}

// The exact marginal score is the minimiser of the expected loss: the
// gradient of the batch loss with respect to the output, at the oracle's
// output, averages to zero against any test function of the input, while a
// wrong score (the prior's) leaves a clearly non-zero average.
func TestOracleOutputIsStationaryPointOfTheLoss(t *testing.T) {
	const n, d = 40000, 2
	data := gaussData()
	x0 := make([]float64, n*d)
	r := newTestRand(1)
	for i := 0; i < n; i++ {
		data.SampleOne(x0[i*d:(i+1)*d], r)
	}
	for _, c := range configs(t) {
		if c.Param == sde.FactorR {
			continue // TestParamRLossIsStationaryAtTheExactEps, with an independent R
		}
		o, _ := exact.New(c.Process, data)
		net := &oracleNet{c: c, o: o, d: d}
		var b Batch
		if err := c.Prepare(&b, x0, d, 7, 0); err != nil {
			t.Fatal(err)
		}
		out := net.Forward(b.Input, b.T, b.N, false)
		grad := make([]float32, len(out))
		b.Loss(out, grad)
		// Test functions: the input's first coordinate (x₁ or v₁) times each output.
		var m, s2 float64
		for i := 0; i < n; i++ {
			h := float64(b.Input[i*b.InDim+b.InDim-1])
			g := float64(grad[i*b.OutDim+b.OutDim-1]) * float64(n) // per-sample gradient
			m += h * g
			s2 += h * g * h * g
		}
		mean := m / n
		se := math.Sqrt((s2/n - mean*mean) / n)
		if math.Abs(mean) > 4*se {
			t.Errorf("%s: E[h·∂loss/∂o] = %v ± %v at the exact score, want 0", name(c), mean, se)
		}
		// A wrong model (prior score: output for s = −Σ∞⁻¹u) is detected.
		wrong := make([]float32, len(out))
		for i := 0; i < n; i++ {
			pa, _ := c.paramAt(b.Times[i])
			for j := 0; j < d; j++ {
				x := float64(b.Input[i*b.InDim+j])
				v := 0.0
				if b.InDim == 2*d {
					v = float64(b.Input[i*b.InDim+d+j])
				}
				ox, ov := pa.targetOf(x, v, -x, -v/math.Max(c.Process.Stationary.VV, 1e-300))
				switch {
				case b.OutDim == 2*d:
					wrong[i*b.OutDim+j], wrong[i*b.OutDim+d+j] = float32(ox), float32(ov)
				case b.InDim == d:
					wrong[i*b.OutDim+j] = float32(ox)
				default:
					wrong[i*b.OutDim+j] = float32(ov)
				}
			}
		}
		lw := b.Loss(wrong, nil)
		lo := b.Loss(out, nil)
		if !(lo < lw) {
			t.Errorf("%s: loss at exact score %v not below loss at prior score %v", name(c), lo, lw)
		}
	}
}

func TestScoreModelReproducesOracle(t *testing.T) {
	data := gaussData()
	for _, c := range configs(t) {
		o, _ := exact.New(c.Process, data)
		sm := &ScoreModel{Config: c, Net: &oracleNet{c: c, o: o, d: 2}, D: 2}
		x := []float64{0.5, -0.25, 1.5, 0.75}
		var v, sv, wv []float64
		if c.Process.Order() == 2 {
			v = []float64{0.125, -0.5, 0.25, 0.375}
			sv, wv = make([]float64, 4), make([]float64, 4)
		}
		sx, wx := make([]float64, 4), make([]float64, 4)
		for _, tt := range []float64{0.01, 0.5} {
			sm.Score(tt, x, v, sx, sv)
			o.Score(tt, x, v, wx, wv)
			for i := range x {
				if c.FullScore() {
					if math.Abs(sx[i]-wx[i]) > 1e-4*(1+math.Abs(wx[i])) {
						t.Errorf("%s t=%v: sx[%d] = %v, oracle %v", name(c), tt, i, sx[i], wx[i])
					}
				}
				if sv != nil && math.Abs(sv[i]-wv[i]) > 1e-4*(1+math.Abs(wv[i])) {
					t.Errorf("%s t=%v: sv[%d] = %v, oracle %v", name(c), tt, i, sv[i], wv[i])
				}
			}
		}
	}
}

func TestLossGradientMatchesFiniteDifferences(t *testing.T) {
	data := gaussData()
	x0 := make([]float64, 16*2)
	r := newTestRand(2)
	for i := 0; i < 16; i++ {
		data.SampleOne(x0[2*i:2*i+2], r)
	}
	for _, c := range configs(t) {
		var b Batch
		if err := c.Prepare(&b, x0, 2, 3, 1); err != nil {
			t.Fatal(err)
		}
		out := make([]float32, b.N*b.OutDim)
		for i := range out {
			out[i] = float32(r.NormFloat64())
		}
		grad := make([]float32, len(out))
		b.Loss(out, grad)
		for k := 0; k < len(out); k += 3 {
			old := out[k]
			h := float32(1e-2)
			out[k] = old + h
			lp := b.Loss(out, nil)
			out[k] = old - h
			lm := b.Loss(out, nil)
			out[k] = old
			fd := (lp - lm) / (2 * float64(h))
			if math.Abs(fd-float64(grad[k])) > 1e-3*(1+math.Abs(fd)) {
				t.Errorf("%s: ∂loss/∂o[%d] = %v, finite difference %v", name(c), k, grad[k], fd)
			}
		}
	}
}

// The papers' claim: at fixed parameters, HSM's loss has lower variance than
// DSM's on the same stream of data batches.
func TestHSMLossVarianceIsLowerThanDSM(t *testing.T) {
	data := gaussData()
	cld, _ := sde.NewCLD(sde.CLDConfig{Schedule: sde.Schedule{Beta0: 4}, MInv: 4, Gamma: 0.04, NumericalEps: 1e-6})
	const batches, n = 200, 64
	variance := func(obj sde.Objective) float64 {
		c := &Config{Process: cld, Objective: obj, Weighting: WeightEps, MixedScore: true, LossEps: 1e-5}
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		o, _ := exact.New(cld, data)
		net := &oracleNet{c: c, o: o, d: 2}
		r := newTestRand(9)
		x0 := make([]float64, n*2)
		var s, s2 float64
		var b Batch
		for k := 0; k < batches; k++ {
			for i := 0; i < n; i++ {
				data.SampleOne(x0[2*i:2*i+2], r)
			}
			if err := c.Prepare(&b, x0, 2, 11, uint64(k)); err != nil {
				t.Fatal(err)
			}
			l := b.Loss(net.Forward(b.Input, b.T, b.N, false), nil)
			s += l
			s2 += l * l
		}
		m := s / batches
		return s2/batches - m*m
	}
	vh, vd := variance(sde.HSM), variance(sde.DSM)
	if !(vh < vd) {
		t.Fatalf("HSM loss variance %v not below DSM's %v", vh, vd)
	}
	t.Logf("loss variance at the exact score: HSM %.4g, DSM %.4g", vh, vd)
}

// Importance sampling of t leaves the expected ml loss unchanged and lowers
// its variance.
func TestImportanceSamplingIsUnbiasedAndReducesVariance(t *testing.T) {
	data := gaussData()
	for _, p := range []*sde.Process{configs(t)[0].Process, configs(t)[1].Process} {
		stats := func(is bool) (mean, se, variance float64) {
			c := &Config{Process: p, Weighting: WeightML, MixedScore: true, LossEps: 1e-4, ImportanceT: is}
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			const n = 30000
			x0 := make([]float64, n*2)
			r := newTestRand(4)
			for i := 0; i < n; i++ {
				data.SampleOne(x0[2*i:2*i+2], r)
			}
			var b Batch
			if err := c.Prepare(&b, x0, 2, 5, 0); err != nil {
				t.Fatal(err)
			}
			// A fixed imperfect model: zero output.
			out := make([]float32, b.N*b.OutDim)
			var s, s2 float64
			one := Batch{N: 1, D: 2, OutDim: b.OutDim}
			for i := 0; i < n; i++ {
				one.quad = b.quad[i : i+1]
				one.Target = b.Target[i*b.OutDim : (i+1)*b.OutDim]
				l := one.Loss(out[:b.OutDim], nil)
				s += l
				s2 += l * l
			}
			mean = s / n
			variance = s2/n - mean*mean
			return mean, math.Sqrt(variance / n), variance
		}
		mu, su, vu := stats(false)
		mi, si, vi := stats(true)
		if math.Abs(mu-mi) > 4*math.Hypot(su, si) {
			t.Errorf("%v: uniform-t loss %v ± %v, importance-sampled %v ± %v", p, mu, su, mi, si)
		}
		if !(vi < vu/2) {
			t.Errorf("%v: importance sampling variance %v, uniform %v: want at least 2× lower", p, vi, vu)
		}
	}
}

// linearNet is o = W·input (+ t·c): its input VJP is exact, so ScoreVJP can
// be checked against finite differences of Score.
type linearNet struct {
	in, out int
	w       []float32
}

func (l *linearNet) Forward(input, tt []float32, batch int, train bool) []float32 {
	out := make([]float32, batch*l.out)
	for i := 0; i < batch; i++ {
		for o := 0; o < l.out; o++ {
			s := float32(0.3) * tt[i]
			for j := 0; j < l.in; j++ {
				s += l.w[o*l.in+j] * input[i*l.in+j]
			}
			out[i*l.out+o] = s
		}
	}
	return out
}

func (l *linearNet) InputVJP(input, tt []float32, batch int, g []float32) []float32 {
	out := make([]float32, batch*l.in)
	for i := 0; i < batch; i++ {
		for j := 0; j < l.in; j++ {
			for o := 0; o < l.out; o++ {
				out[i*l.in+j] += g[i*l.out+o] * l.w[o*l.in+j]
			}
		}
	}
	return out
}

func TestScoreVJPMatchesFiniteDifferences(t *testing.T) {
	r := newTestRand(12)
	for _, c := range configs(t) {
		d := 2
		ln := &linearNet{in: c.InDim(d), out: c.OutDim(d)}
		ln.w = make([]float32, ln.in*ln.out)
		for i := range ln.w {
			ln.w[i] = float32(r.NormFloat64())
		}
		sm := &ScoreModel{Config: c, Net: ln, D: d}
		n := 3
		x := make([]float64, n*d)
		for i := range x {
			x[i] = float64(float32(r.NormFloat64()))
		}
		var v, wv, sv, gv []float64
		if c.Process.Order() == 2 {
			v, wv, sv, gv = make([]float64, n*d), make([]float64, n*d), make([]float64, n*d), make([]float64, n*d)
			for i := range v {
				v[i] = float64(float32(0.5 * r.NormFloat64()))
				wv[i] = r.NormFloat64()
			}
		}
		wx, sx, gx := make([]float64, n*d), make([]float64, n*d), make([]float64, n*d)
		for i := range wx {
			wx[i] = r.NormFloat64()
		}
		tt := 0.3
		sm.ScoreVJP(tt, x, v, wx, wv, sx, sv, gx, gv)
		dot := func() float64 {
			s1, s2 := make([]float64, n*d), make([]float64, n*d)
			if v == nil {
				s2 = nil
			}
			sm.Score(tt, x, v, s1, s2)
			acc := 0.0
			for i := range s1 {
				acc += wx[i] * s1[i]
				if s2 != nil {
					acc += wv[i] * s2[i]
				}
			}
			return acc
		}
		// The map is affine in u, so a large step is exact up to float32 rounding.
		h := 0.25
		for k := 0; k < n*d; k++ {
			for which, vec := range [][]float64{x, v} {
				if vec == nil {
					continue
				}
				g := gx
				if which == 1 {
					g = gv
				}
				old := vec[k]
				vec[k] = old + h
				fp := dot()
				vec[k] = old - h
				fm := dot()
				vec[k] = old
				fd := (fp - fm) / (2 * h)
				if math.Abs(fd-g[k]) > 1e-3*(1+math.Abs(fd)) {
					t.Errorf("%s: VJP[%d] = %v, finite difference %v", name(c), k, g[k], fd)
				}
			}
		}
	}
}

// Zero fields mean the documented defaults (hsm for CLD and PSLD, dsm for
// VP, eps weighting, loss eps 1e-5, sde.FactorL): Prepare on a Config that was never
// validated builds bit-identical batches (times, inputs, targets, loss) to
// one with the defaults written out, and neither Validate nor Prepare
// changes the caller's fields. Unknown kinds are errors.
func TestZeroFieldsMeanDefaultsAndAreNotFilledIn(t *testing.T) {
	vp, _ := sde.NewVP(sde.DefaultVP())
	cld, _ := sde.NewCLD(sde.DefaultCLD())
	psld, _ := sde.NewPSLD(sde.DefaultPSLD())
	x0 := []float64{0.3, -1.2, 2, 0.5, -0.7, 0.1}
	for _, tc := range []struct {
		p   *sde.Process
		obj sde.Objective
	}{{vp, sde.DSM}, {cld, sde.HSM}, {psld, sde.HSM}} {
		zero := &Config{Process: tc.p}
		full := &Config{Process: tc.p, Objective: tc.obj, Weighting: WeightEps, LossEps: 1e-5, Param: sde.FactorL}
		if err := zero.Validate(); err != nil {
			t.Fatalf("%v: %v", tc.p, err)
		}
		var bz, bf Batch
		if err := zero.Prepare(&bz, x0, 2, 3, 11); err != nil {
			t.Fatal(err)
		}
		if err := full.Prepare(&bf, x0, 2, 3, 11); err != nil {
			t.Fatal(err)
		}
		if zero.Objective != 0 || zero.Weighting != 0 || zero.LossEps != 0 || zero.Param != 0 {
			t.Errorf("%v: Validate/Prepare filled in the caller's fields: %+v", tc.p, *zero)
		}
		out := make([]float32, len(bz.Target))
		for i := range out {
			out[i] = float32(i%5) - 2
		}
		same := bz.Loss(out, nil) == bf.Loss(out, nil) && len(bz.Input) == len(bf.Input)
		for i := range bz.Times {
			same = same && bz.Times[i] == bf.Times[i]
		}
		for i := range bz.Input {
			same = same && bz.Input[i] == bf.Input[i]
		}
		for i := range bz.Target {
			same = same && bz.Target[i] == bf.Target[i]
		}
		if !same {
			t.Errorf("%v: the zero Config prepares another batch than the explicit defaults (times %v vs %v)", tc.p, bz.Times, bf.Times)
		}
	}
	for _, bad := range []*Config{
		{},
		{Process: cld, Objective: 9},
		{Process: cld, Weighting: 9},
		{Process: vp, Objective: sde.HSM},
		{Process: cld, LossEps: -1},
		{Process: cld, ImportanceT: true},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v accepted", *bad)
		}
		var b Batch
		if bad.Process != nil {
			if err := bad.Prepare(&b, x0, 2, 1, 1); err == nil {
				t.Errorf("Prepare accepted %+v", *bad)
			}
		}
	}
}

// TestUnknownKindIsRefused: Validate refuses a process of a kind outside
// VP, CLD and PSLD, and the per-coordinate maps panic on one instead of
// computing PSLD's.
func TestUnknownKindIsRefused(t *testing.T) {
	p, err := sde.NewPSLD(sde.DefaultPSLD())
	if err != nil {
		t.Fatal(err)
	}
	q := *p
	q.Kind = sde.Kind(99)
	c := &Config{Process: &q, Objective: sde.DSM}
	if err := c.Validate(); err == nil || !strings.HasPrefix(err.Error(), "objective: ") {
		t.Fatalf("Validate of kind 99: %v, want an objective: error", err)
	}
	for name, f := range map[string]func(){
		"scoreOf":   func() { (&paramAt{kind: q.Kind}).scoreOf(1, 1, 1, 1) },
		"targetOf":  func() { (&paramAt{kind: q.Kind}).targetOf(1, 1, 1, 1) },
		"quad eps":  func() { (&paramAt{kind: q.Kind}).quad(WeightEps) },
		"quad ml":   func() { (&paramAt{kind: q.Kind}).quad(WeightML) },
		"FullScore": func() { c.FullScore() },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s of kind 99 did not panic", name)
				}
			}()
			f()
		}()
	}
}

// Each process's default objective, explicit names, and HSM refused for VP,
// with the rule Config.Validate applies.
func TestObjectiveFor(t *testing.T) {
	vp, _ := sde.NewVP(sde.DefaultVP())
	cld, _ := sde.NewCLD(sde.DefaultCLD())
	psld, _ := sde.NewPSLD(sde.DefaultPSLD())
	for _, c := range []struct {
		p    *sde.Process
		name string
		want sde.Objective
		err  bool
	}{
		{cld, "", sde.HSM, false}, {psld, "", sde.HSM, false}, {vp, "", sde.DSM, false},
		{cld, "dsm", sde.DSM, false}, {vp, "dsm", sde.DSM, false},
		{vp, "hsm", 0, true}, {cld, "xsm", 0, true},
	} {
		got, err := ObjectiveFor(c.p, c.name)
		if got != c.want || (err != nil) != c.err {
			t.Errorf("ObjectiveFor(%v, %q) = %v, %v; want %v, error %v", c.p.Kind, c.name, got, err, c.want, c.err)
		}
		if err == nil {
			if verr := (&Config{Process: c.p, Objective: got}).Validate(); verr != nil {
				t.Errorf("ObjectiveFor(%v, %q) = %v, which Validate refuses: %v", c.p.Kind, c.name, got, verr)
			}
		}
	}
}
