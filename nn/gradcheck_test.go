package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// dot returns Σ w·y in float64: the scalar loss whose gradient w.r.t. y is w.
func dot(w, y []float32) float64 {
	var s float64
	for i := range w {
		s += float64(w[i]) * float64(y[i])
	}
	return s
}

func randSlice(r *rand.Rand, n int, scale float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64() * scale)
	}
	return s
}

// checkGrad compares analytic[i] with the central difference
// (L(x+h) − L(x−h))/2h for up to maxIdx randomly chosen indices of x. The
// error is measured relative to max(|fd|, |an|, 1e-2·max|analytic|) so that
// tiny components do not dominate; tol around 1e-2 passes float32 round-off
// and fails any real bug (which gives O(1) relative errors).
func checkGrad(t *testing.T, name string, x, analytic []float32, loss func() float64, h float32, tol float64, maxIdx int) {
	t.Helper()
	checkGradFloor(t, name, x, analytic, loss, h, tol, maxIdx, 0)
}

// checkGradFloor is checkGrad with an extra absolute floor on the error
// denominator: deep networks have parameters (e.g. a conv bias followed by
// GroupNorm) whose true gradient is nearly cancelled, so their relative
// error is measured against the gradient scale of the whole model.
func checkGradFloor(t *testing.T, name string, x, analytic []float32, loss func() float64, h float32, tol float64, maxIdx int, floor float64) {
	t.Helper()
	if len(x) != len(analytic) {
		t.Fatalf("%s: %d values but %d gradients", name, len(x), len(analytic))
	}
	var amax float64
	for _, a := range analytic {
		amax = math.Max(amax, math.Abs(float64(a)))
	}
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	r := rand.New(rand.NewPCG(7, uint64(len(x))))
	r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	if len(idx) > maxIdx {
		idx = idx[:maxIdx]
	}
	worst := 0.0
	for _, i := range idx {
		orig := x[i]
		xp, xm := orig+h, orig-h
		x[i] = xp
		lp := loss()
		x[i] = xm
		lm := loss()
		x[i] = orig
		fd := (lp - lm) / float64(xp-xm)
		an := float64(analytic[i])
		den := math.Max(math.Max(math.Abs(fd), math.Abs(an)), math.Max(1e-2*amax, floor)+1e-12)
		e := math.Abs(fd-an) / den
		worst = math.Max(worst, e)
		if e > tol {
			t.Errorf("%s[%d]: analytic %.6g, finite difference %.6g (rel err %.3g > %.3g)", name, i, an, fd, e, tol)
		}
	}
	if amax == 0 {
		t.Errorf("%s: analytic gradient is identically zero", name)
	}
	t.Logf("%s: %d components, worst rel err %.2e", name, len(idx), worst)
}
