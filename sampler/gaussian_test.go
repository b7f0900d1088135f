package sampler

import (
	"math"
	"testing"

	"phasespace/sde"
)

// gaussianCheck is the reference table of docs/method.md, Gaussian sanity
// check of the samplers: final Var[x] for data N(0, 0.5) with the
// exact score (uniform striding, ε = 1e-3, denoising), from 20k (CLD) and
// 10k (PSLD) particles of the reference samplers.
var gaussianCheck = []struct {
	kind      sde.Kind
	nfe       int
	sscs, em  float64
	particles float64
}{
	{sde.CLD, 20, 0.460, 0.755, 20000}, {sde.CLD, 50, 0.492, 0.548, 20000}, {sde.CLD, 200, 0.495, 0.509, 20000},
	{sde.PSLD, 20, 0.471, 0.738, 10000}, {sde.PSLD, 50, 0.486, 0.547, 10000}, {sde.PSLD, 200, 0.500, 0.517, 10000},
}

// varSE is the standard error of the mean of x² for x ~ N(0, v): v√(2/n).
func varSE(v, n float64) float64 { return v * math.Sqrt(2/n) }

func process(t *testing.T, k sde.Kind) *sde.Process {
	for _, p := range processes(t) {
		if p.Kind == k {
			return p
		}
	}
	t.Fatalf("no process %v", k)
	return nil
}

// TestGaussianCheckRecursion: the exact covariance recursion of the samplers (no
// Monte-Carlo noise) reproduces the reference table within 3.5 standard errors
// of the table's own Monte-Carlo noise with the reference codes' SSCS conventions
// (the table was made with the reference code).
func TestGaussianCheckRecursion(t *testing.T) {
	t.Parallel()
	for _, r := range gaussianCheck {
		p := process(t, r.kind)
		em := gaussianFinalVar(p, EM, r.nfe, Uniform, sscsConv{}, 0.5)
		ss := gaussianFinalVar(p, SSCS, r.nfe, Uniform, convReference, 0.5)
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"EM", em, r.em}, {"SSCS(reference)", ss, r.sscs}} {
			if d := math.Abs(c.got - c.want); d > 3.5*varSE(c.want, r.particles) {
				t.Errorf("%v %s nfe %d: exact recursion Var %.4f, reference table %.3f (|diff| %.4f > 3.5 s.e. %.4f)", r.kind, c.name, r.nfe, c.got, c.want, d, 3.5*varSE(c.want, r.particles))
			}
		}
	}
}

// TestGaussianCheckSampler runs the samplers on x₀ ~ N(0, 0.5) with the exact score
// and checks (i) Var[x] matches the exact recursion within 4 standard
// errors for EM, SSCS with the zero Config's conventions and SSCS with the
// other conventions (score at the midpoint, per-half β), (ii) SSCS is closer to 0.5 than
// EM at 20 and 50 NFE, (iii) at 200 NFE both are within Monte-Carlo error
// of the reference table.
func TestGaussianCheckSampler(t *testing.T) {
	t.Parallel()
	const n = 10000
	seed := uint64(100)
	for _, r := range gaussianCheck {
		p := process(t, r.kind)
		o := oracle(t, p, gaussian1D(0.5))
		got := map[string]float64{}
		for _, c := range []struct {
			name string
			m    Method
			set  sscsConv // Config fields (zero: defaults)
			conv sscsConv // conventions of the recursion
		}{{"EM", EM, sscsConv{}, sscsConv{}}, {"SSCS", SSCS, sscsConv{}, convDefault}, {"SSCSother", SSCS, convOther, convOther}} {
			seed++
			x, _ := mustSample(t, Config{Process: p, Model: o, Method: c.m, NFE: r.nfe, SSCSScore: c.set.score, SSCSBeta: c.set.beta, Seed: seed}, n)
			v := meanSquare(x)
			want := gaussianFinalVar(p, c.m, r.nfe, Uniform, c.conv, 0.5)
			if d := math.Abs(v - want); d > 4*varSE(want, n) {
				t.Errorf("%v %s nfe %d: sampled Var %.4f, exact recursion %.4f (|diff| %.4f > 4 s.e.)", r.kind, c.name, r.nfe, v, want, d)
			}
			got[c.name] = v
		}
		if r.nfe <= 50 && !(math.Abs(got["SSCS"]-0.5) < math.Abs(got["EM"]-0.5)) {
			t.Errorf("%v nfe %d: SSCS Var %.4f not closer to 0.5 than EM %.4f", r.kind, r.nfe, got["SSCS"], got["EM"])
		}
		if r.nfe == 200 {
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"EM", got["EM"], r.em}, {"SSCS", got["SSCS"], r.sscs}} {
				se := math.Hypot(varSE(c.want, n), varSE(c.want, r.particles))
				if d := math.Abs(c.got - c.want); d > 3.5*se {
					t.Errorf("%v %s nfe 200: Var %.4f vs reference table %.3f: |diff| %.4f > 3.5 s.e. %.4f", r.kind, c.name, c.got, c.want, d, 3.5*se)
				}
			}
		}
	}
}

// TestSSCSTimeVaryingBeta uses the post-paper CelebA schedule β(t) = 0.1 +
// 6.9t, where both SSCS conventions matter: each of the four combinations
// matches its own exact recursion, and switching one option alone (common
// random numbers) moves the sample variance by what the recursions say,
// so the two options act independently and as documented.
func TestSSCSTimeVaryingBeta(t *testing.T) {
	t.Parallel()
	c := sde.DefaultCLD()
	c.Schedule = sde.Schedule{Beta0: 0.1, Beta1: 6.9}
	p, err := sde.NewCLD(c)
	if err != nil {
		t.Fatal(err)
	}
	o := oracle(t, p, gaussian1D(0.5))
	const n, nfe = 10000, 20
	convs := []sscsConv{
		{ScoreAtMidpoint, BetaPerHalf}, {ScoreAtStart, BetaPerHalf},
		{ScoreAtMidpoint, BetaFirstHalfTwice}, {ScoreAtStart, BetaFirstHalfTwice},
	}
	var want, got [4]float64
	for i, cv := range convs {
		want[i] = gaussianFinalVar(p, SSCS, nfe, Uniform, cv, 0.5)
		// All variants use the same noise (same seed), so differences of
		// their sample variances have little Monte-Carlo noise.
		x, _ := mustSample(t, Config{Process: p, Model: o, Method: SSCS, NFE: nfe, SSCSScore: cv.score, SSCSBeta: cv.beta, Seed: 7}, n)
		got[i] = meanSquare(x)
		if math.Abs(got[i]-want[i]) > 4*varSE(want[i], n) {
			t.Errorf("%v/%v: Var %.4f, recursion %.4f", cv.score, cv.beta, got[i], want[i])
		}
	}
	// Pairs differing in one option: score time (0,1), (2,3); β rule (0,2), (1,3).
	for _, pr := range [][2]int{{0, 1}, {2, 3}, {0, 2}, {1, 3}} {
		a, b := pr[0], pr[1]
		dw := want[a] - want[b]
		if math.Abs(dw) < 0.003 {
			t.Fatalf("%v/%v vs %v/%v: recursions barely differ (%.4f vs %.4f): test has no power", convs[a].score, convs[a].beta, convs[b].score, convs[b].beta, want[a], want[b])
		}
		if d := got[a] - got[b]; math.Abs(d-dw) > 0.25*math.Abs(dw) {
			t.Errorf("Var(%v/%v) − Var(%v/%v) = %.5f, recursion %.5f: the option does not act as documented", convs[a].score, convs[a].beta, convs[b].score, convs[b].beta, d, dw)
		}
	}
	t.Logf("β(t)=0.1+6.9t, 20 NFE, Var by convention (recursion / sampled): %.4f/%.4f %.4f/%.4f %.4f/%.4f %.4f/%.4f", want[0], got[0], want[1], got[1], want[2], got[2], want[3], got[3])
}
