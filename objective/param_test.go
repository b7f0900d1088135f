package objective

import (
	"math"
	"testing"

	"phasespace/exact"
	"phasespace/sde"
)

// rConfigs are the sde.FactorR configurations: CLD, PSLD (Γ > 0) and PSLD with
// Γ = 0, each under HSM and DSM and both weightings, and one with
// importance-sampled t.
func rConfigs(t *testing.T) []*Config {
	t.Helper()
	var out []*Config
	for _, c := range configs(t) {
		if c.Param == sde.FactorR {
			out = append(out, c)
		}
	}
	if len(out) != 13 {
		t.Fatalf("%d sde.FactorR configurations, want 13", len(out))
	}
	return out
}

// testRFactors holds the tests' own HSM R factors, one per process (not the
// objective package's cache).
var testRFactors = map[*sde.Process]*sde.RFactor{}

// rOf returns gDDIM's R_t of the HSM kernel, built independently of the
// objective package's cache and map (sde.RFactor.Kernel).
func rOf(t *testing.T, p *sde.Process, tt float64) sde.Mat2 {
	t.Helper()
	f := testRFactors[p]
	if f == nil {
		var err error
		if f, err = p.NewRFactor(sde.HSM); err != nil {
			t.Fatal(err)
		}
		testRFactors[p] = f
	}
	_, r, err := f.Kernel(tt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// solveRT returns s with Rᵀ s = −o (the score of ε-output o) by Cramer's rule.
func solveRT(r sde.Mat2, ox, ov float64) (float64, float64) {
	// Rᵀ = [[r.XX, r.VX], [r.XV, r.VV]].
	det := r.XX*r.VV - r.VX*r.XV
	return -(ox*r.VV - r.VX*ov) / det, -(r.XX*ov - ox*r.XV) / det
}

// rNet is a "network" whose output is the exact ε* = −R_tᵀ s_exact of an
// oracle, R_t taken from sde.RFactor.Kernel of the HSM kernel.
type rNet struct {
	t *testing.T
	p *sde.Process
	o *exact.Oracle
	d int
	f *sde.RFactor
}

func newRNet(t *testing.T, p *sde.Process, o *exact.Oracle, d int) *rNet {
	rOf(t, p, 1) // builds testRFactors[p]
	return &rNet{t: t, p: p, o: o, d: d, f: testRFactors[p]}
}

func (n *rNet) Forward(input, tt []float32, batch int, train bool) []float32 {
	d := n.d
	out := make([]float32, batch*2*d)
	x, v, sx, sv := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	for i := 0; i < batch; i++ {
		for j := 0; j < d; j++ {
			x[j], v[j] = float64(input[i*2*d+j]), float64(input[i*2*d+d+j])
		}
		n.o.Score(float64(tt[i]), x, v, sx, sv)
		_, r, err := n.f.Kernel(float64(tt[i]))
		if err != nil {
			n.t.Fatal(err)
		}
		for j := 0; j < d; j++ {
			// −Rᵀs.
			out[i*2*d+j] = float32(-(r.XX*sx[j] + r.VX*sv[j]))
			out[i*2*d+d+j] = float32(-(r.XV*sx[j] + r.VV*sv[j]))
		}
	}
	return out
}

// The R of the parameterisation is the HSM kernel's gDDIM factor whatever
// the objective: R Rᵀ = Σ_HSM(t) (with NumericalEps), the output target of a
// score is −Rᵀs and the score of an output is −R⁻ᵀo, to 1e-12 relative to
// the magnitudes involved, against sde.RFactor.Kernel and Cramer's rule.
func TestParamRMapsUseTheHSMRFactor(t *testing.T) {
	for _, c := range rConfigs(t) {
		p := c.Process
		for _, tt := range []float64{1e-3, 0.01, 0.3, 1} {
			r := rOf(t, p, tt)
			kh, err := p.Kernel(tt, sde.HSM)
			if err != nil {
				t.Fatal(err)
			}
			rr := r.Mul(r.T())
			scale := math.Max(kh.Sigma.XX, kh.Sigma.VV)
			if math.Abs(rr.XX-kh.Sigma.XX) > 1e-12*scale || math.Abs(rr.XV-kh.Sigma.XV) > 1e-12*scale || math.Abs(rr.VV-kh.Sigma.VV) > 1e-12*scale {
				t.Fatalf("%s t=%v: R Rᵀ = %+v, Σ_HSM = %+v", name(c), tt, rr, kh.Sigma)
			}
			pa, err := c.paramAt(tt)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range [][2]float64{{1.7, -2.2}, {-0.3, 0.05}, {40, 3}} {
				ox, ov := pa.targetOf(0.4, -0.3, s[0], s[1])
				wx, wv := -(r.XX*s[0] + r.VX*s[1]), -(r.XV*s[0] + r.VV*s[1])
				mag := (math.Abs(r.XX)+math.Abs(r.VX)+math.Abs(r.XV)+math.Abs(r.VV))*(math.Abs(s[0])+math.Abs(s[1])) + 1e-300
				if math.Abs(ox-wx) > 1e-12*mag || math.Abs(ov-wv) > 1e-12*mag {
					t.Errorf("%s t=%v: target of s = %v is (%v, %v), want −Rᵀs = (%v, %v)", name(c), tt, s, ox, ov, wx, wv)
				}
				// The score of an arbitrary output.
				o := [2]float64{s[1] / 3, s[0] / 5}
				gx, gv := pa.scoreOf(0.4, -0.3, o[0], o[1])
				ex, ev := solveRT(r, o[0], o[1])
				mag = (math.Abs(ex) + math.Abs(ev))
				if math.Abs(gx-ex) > 1e-12*mag || math.Abs(gv-ev) > 1e-12*mag {
					t.Errorf("%s t=%v: score of o = %v is (%v, %v), want −R⁻ᵀo = (%v, %v)", name(c), tt, o, gx, gv, ex, ev)
				}
			}
		}
	}
}

// A "network" that outputs the oracle's ε* = −R_tᵀ s_exact gives, through
// ScoreModel, −R⁻ᵀ of its (float32) output to 1e-12 and so the oracle's
// score up to the float32 rounding of the output; ScoreVJP's score agrees.
func TestParamRScoreModelReproducesOracle(t *testing.T) {
	data := gaussData()
	const d = 2
	for _, c := range rConfigs(t) {
		o, _ := exact.New(c.Process, data)
		net := newRNet(t, c.Process, o, d)
		sm := &ScoreModel{Config: c, Net: net, D: d}
		x := []float64{0.5, -0.25, 1.5, 0.75}
		v := []float64{0.125, -0.5, 0.25, 0.375}
		sx, sv, wx, wv := make([]float64, 4), make([]float64, 4), make([]float64, 4), make([]float64, 4)
		for _, tt := range []float64{1e-3, 0.01, 0.5, 1} {
			sm.Score(tt, x, v, sx, sv)
			o.Score(tt, x, v, wx, wv)
			in := make([]float32, 2*2*d)
			for i := 0; i < 2; i++ {
				for j := 0; j < d; j++ {
					in[i*2*d+j], in[i*2*d+d+j] = float32(x[i*d+j]), float32(v[i*d+j])
				}
			}
			out := net.Forward(in, []float32{float32(tt), float32(tt)}, 2, false)
			r := rOf(t, c.Process, tt)
			for i := 0; i < 2; i++ {
				for j := 0; j < d; j++ {
					k := i*d + j
					ex, ev := solveRT(r, float64(out[i*2*d+j]), float64(out[i*2*d+d+j]))
					mag := math.Abs(ex) + math.Abs(ev)
					if math.Abs(sx[k]-ex) > 1e-12*mag || math.Abs(sv[k]-ev) > 1e-12*mag {
						t.Errorf("%s t=%v: score[%d] = (%v, %v), −R⁻ᵀo = (%v, %v)", name(c), tt, k, sx[k], sv[k], ex, ev)
					}
					// float32 outputs: relative rounding 6e-8, amplified by
					// the condition number of R.
					tol := 1e-5 * (1 + math.Abs(wx[k]) + math.Abs(wv[k]))
					if math.Abs(sx[k]-wx[k]) > tol || math.Abs(sv[k]-wv[k]) > tol {
						t.Errorf("%s t=%v: score[%d] = (%v, %v), oracle (%v, %v)", name(c), tt, k, sx[k], sv[k], wx[k], wv[k])
					}
				}
			}
		}
	}
}

// The loss's target is the conditional ε: at the oracle's output the
// per-sample gradient of the batch loss with respect to every output
// component has mean 0 (also against the test function h = the input's last
// coordinate), within 4 standard errors; a shift of the x outputs by 0.1 is
// detected (gradient mean beyond 4 standard errors, higher loss).
//
// Power: n = 20000 samples of d = 2 coordinates. Under eps weighting the
// per-sample gradient 2(o − ε*) has standard deviation ≈ 2·sd(ε* | u_t) ≤ 2,
// so its standard error is ≤ 2/√20000 ≈ 0.014, and the shift's mean
// gradient 2·0.1 = 0.2 is ≥ 14 standard errors; the ml weighting's
// gradient is heavier-tailed and is checked the same way (the z-scores are
// logged). A correct target fails one of the 4σ checks with probability
// about 6e-5 each.
func TestParamRLossIsStationaryAtTheExactEps(t *testing.T) {
	const n, d = 20000, 2
	data := gaussData()
	x0 := make([]float64, n*d)
	r := newTestRand(21)
	for i := 0; i < n; i++ {
		data.SampleOne(x0[i*d:(i+1)*d], r)
	}
	for _, c := range rConfigs(t) {
		o, _ := exact.New(c.Process, data)
		net := newRNet(t, c.Process, o, d)
		var b Batch
		if err := c.Prepare(&b, x0, d, 8, 0); err != nil {
			t.Fatal(err)
		}
		if b.OutDim != 2*d || b.InDim != 2*d {
			t.Fatalf("%s: batch %d→%d, want 4→4", name(c), b.InDim, b.OutDim)
		}
		out := net.Forward(b.Input, b.T, b.N, false)
		grad := make([]float32, len(out))
		l0 := b.Loss(out, grad)
		// stat returns the mean of h·g over samples and its standard error.
		stat := func(g []float32, k int, h func(i int) float64) (float64, float64) {
			var m, s2 float64
			for i := 0; i < n; i++ {
				y := h(i) * float64(g[i*b.OutDim+k]) * n
				m += y
				s2 += y * y
			}
			m /= n
			return m, math.Sqrt((s2/n - m*m) / n)
		}
		one := func(int) float64 { return 1 }
		last := func(i int) float64 { return float64(b.Input[i*b.InDim+b.InDim-1]) }
		worst := 0.0
		for k := 0; k < b.OutDim; k++ {
			for hi, h := range []func(int) float64{one, last} {
				m, se := stat(grad, k, h)
				worst = math.Max(worst, math.Abs(m)/se)
				if math.Abs(m) > 4*se {
					t.Errorf("%s: output %d, test function %d: mean gradient %v ± %v at the exact ε, want 0", name(c), k, hi, m, se)
				}
			}
		}
		shifted := append([]float32(nil), out...)
		for i := 0; i < n; i++ {
			for j := 0; j < d; j++ {
				shifted[i*b.OutDim+j] += 0.1
			}
		}
		gs := make([]float32, len(out))
		l1 := b.Loss(shifted, gs)
		m, se := stat(gs, 0, one)
		if !(l1 > l0) || !(m > 4*se) {
			t.Errorf("%s: x outputs shifted by 0.1: loss %v (exact ε: %v), mean gradient %v ± %v: not detected", name(c), l1, l0, m, se)
		}
		t.Logf("%s: largest |z| at the exact ε %.2f; shift z = %.1f", name(c), worst, m/se)
	}
}

// The loss is the documented quadratic form, computed here independently in
// score space from sde.RFactor's R and the process's GGᵀ: ml is
// ½(s − s*)ᵀGGᵀ(s − s*) with s = −R⁻ᵀo and s* = −R⁻ᵀo*, eps is ‖o − o*‖²
// over both parts. Under HSM the target is the noise in R coordinates,
// o* = R⁻¹(u_t − Φ_t(x₀, 0)), checked from the batch's own input.
func TestParamRLossEqualsScoreSpaceLoss(t *testing.T) {
	const n, d = 64, 2
	data := gaussData()
	x0 := make([]float64, n*d)
	r := newTestRand(22)
	for i := 0; i < n; i++ {
		data.SampleOne(x0[i*d:(i+1)*d], r)
	}
	for _, c := range rConfigs(t) {
		if c.ImportanceT {
			continue // the importance weight is not observable here
		}
		p := c.Process
		var b Batch
		if err := c.Prepare(&b, x0, d, 5, 2); err != nil {
			t.Fatal(err)
		}
		out := make([]float32, b.N*b.OutDim)
		for i := range out {
			out[i] = float32(r.NormFloat64())
		}
		want := 0.0
		for i := 0; i < n; i++ {
			tt := b.Times[i]
			rm := rOf(t, p, tt)
			g := p.DiffusionSq(tt)
			kh, err := p.Kernel(tt, sde.HSM)
			if err != nil {
				t.Fatal(err)
			}
			ri := rm.Inv()
			for j := 0; j < d; j++ {
				ox, ov := float64(out[i*b.OutDim+j]), float64(out[i*b.OutDim+d+j])
				tx, tv := b.Target[i*b.OutDim+j], b.Target[i*b.OutDim+d+j]
				if c.EffectiveWeighting() == WeightEps {
					want += (ox-tx)*(ox-tx) + (ov-tv)*(ov-tv)
				} else {
					sx, sv := solveRT(rm, ox, ov)
					qx, qv := solveRT(rm, tx, tv)
					ex, ev := sx-qx, sv-qv
					want += 0.5 * (g.XX*ex*ex + 2*g.XV*ex*ev + g.VV*ev*ev)
				}
				if c.EffectiveObjective() != sde.HSM {
					continue
				}
				xt, vt := float64(b.Input[i*b.InDim+j]), float64(b.Input[i*b.InDim+d+j])
				mx, mv := kh.Phi.Apply(x0[i*d+j], 0)
				wx, wv := ri.Apply(xt-mx, vt-mv)
				// float32 rounding of the input, through R⁻¹.
				tol := 1e-7*(math.Abs(ri.XX)+math.Abs(ri.XV)+math.Abs(ri.VX)+math.Abs(ri.VV))*(math.Abs(xt)+math.Abs(vt)) + 1e-9
				if math.Abs(tx-wx) > tol || math.Abs(tv-wv) > tol {
					t.Errorf("%s sample %d t=%v: target (%v, %v), R⁻¹(u − μ) = (%v, %v)", name(c), i, tt, tx, tv, wx, wv)
				}
			}
		}
		want /= n
		if got := b.Loss(out, nil); math.Abs(got-want) > 1e-9*math.Abs(want) {
			t.Errorf("%s: loss %v, score-space %v", name(c), got, want)
		}
	}
}

// Widths, the VP case (R = σ_t: the same model as sde.FactorL), which models
// provide the full score, parsing and the errors.
func TestParamRDimensionsAndErrors(t *testing.T) {
	vp, _ := sde.NewVP(sde.DefaultVP())
	cld, _ := sde.NewCLD(sde.DefaultCLD())
	psld, _ := sde.NewPSLD(sde.DefaultPSLD())
	psld0, _ := sde.NewPSLD(sde.PSLDConfig{Schedule: sde.Schedule{Beta0: 8}, Gamma: 0, Nu: 4, Kappa: 0.04, NumericalEps: 1e-6})
	for _, tc := range []struct {
		p            *sde.Process
		param        sde.Factor
		in, out      int
		full         bool
		defaultParam bool
	}{
		{vp, 0, 3, 3, true, true}, {vp, sde.FactorR, 3, 3, true, false},
		{cld, 0, 6, 3, false, true}, {cld, sde.FactorL, 6, 3, false, false}, {cld, sde.FactorR, 6, 6, true, false},
		{psld, sde.FactorL, 6, 6, true, false}, {psld, sde.FactorR, 6, 6, true, false},
		{psld0, sde.FactorL, 6, 3, false, false}, {psld0, sde.FactorR, 6, 6, true, false},
	} {
		c := &Config{Process: tc.p, Param: tc.param}
		if err := c.Validate(); err != nil {
			t.Fatalf("%v %v: %v", tc.p, tc.param, err)
		}
		if c.InDim(3) != tc.in || c.OutDim(3) != tc.out || c.FullScore() != tc.full {
			t.Errorf("%v param %v: InDim %d OutDim %d FullScore %v, want %d %d %v", tc.p, tc.param, c.InDim(3), c.OutDim(3), c.FullScore(), tc.in, tc.out, tc.full)
		}
		if want := map[bool]sde.Factor{true: sde.FactorL, false: tc.param}[tc.defaultParam]; c.EffectiveParam() != want || c.Param != tc.param {
			t.Errorf("%v: EffectiveParam %v (field %v), want %v", tc.p, c.EffectiveParam(), c.Param, want)
		}
	}
	// VP: sde.FactorR prepares the same batch as sde.FactorL.
	x0 := []float64{0.3, -1.2, 2, 0.5}
	var bl, br Batch
	if err := (&Config{Process: vp}).Prepare(&bl, x0, 2, 1, 3); err != nil {
		t.Fatal(err)
	}
	if err := (&Config{Process: vp, Param: sde.FactorR}).Prepare(&br, x0, 2, 1, 3); err != nil {
		t.Fatal(err)
	}
	for i := range bl.Target {
		if bl.Target[i] != br.Target[i] || bl.Input[i] != br.Input[i] {
			t.Fatalf("vp: sde.FactorR batch differs from sde.FactorL at %d", i)
		}
	}
	for _, bad := range []*Config{
		{Process: cld, Param: 7},
		{Process: cld, Param: sde.FactorR, MixedScore: true},
		{Process: psld, Param: sde.FactorR, MixedScore: true},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v accepted", *bad)
		}
	}
}
