package featuremetrics

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func gaussian(n, d int, mean, scale float64, seed uint64) Features {
	r := rand.New(rand.NewPCG(seed, 1))
	f := Features{N: n, D: d, Data: make([]float64, n*d)}
	for i := range f.Data {
		f.Data[i] = mean + scale*r.NormFloat64()
	}
	return f
}

// Closed form for diagonal covariances: ‖μ₁−μ₂‖² + Σ(σ₁ − σ₂)².
func TestFrechetMatchesClosedForm(t *testing.T) {
	d := 4
	mu1, mu2 := []float64{0, 1, 2, 3}, []float64{1, 1, 0, 3}
	v1, v2 := []float64{1, 4, 0.25, 2}, []float64{9, 1, 0.25, 0.5}
	s1, s2 := mat.NewSymDense(d, nil), mat.NewSymDense(d, nil)
	want := 0.0
	for i := 0; i < d; i++ {
		s1.SetSym(i, i, v1[i])
		s2.SetSym(i, i, v2[i])
		dm := mu1[i] - mu2[i]
		ds := math.Sqrt(v1[i]) - math.Sqrt(v2[i])
		want += dm*dm + ds*ds
	}
	got, err := FrechetFromMoments(mu1, s1, mu2, s2)
	if err != nil || math.Abs(got-want) > 1e-10 {
		t.Fatalf("FD = %v (%v), want %v", got, err, want)
	}
	// Non-commuting full covariances: FD is symmetric, zero on equal inputs.
	a := mat.NewSymDense(2, []float64{2, 0.9, 0.9, 1})
	b := mat.NewSymDense(2, []float64{1, -0.3, -0.3, 3})
	ab, _ := FrechetFromMoments([]float64{0, 0}, a, []float64{0, 0}, b)
	ba, _ := FrechetFromMoments([]float64{0, 0}, b, []float64{0, 0}, a)
	aa, _ := FrechetFromMoments([]float64{0, 0}, a, []float64{0, 0}, a)
	if math.Abs(ab-ba) > 1e-10 || math.Abs(aa) > 1e-10 || !(ab > 0.1) {
		t.Fatalf("FD(a,b) %v, FD(b,a) %v, FD(a,a) %v", ab, ba, aa)
	}
	// The same via samples: two Gaussians with known moments.
	x := gaussian(20000, 3, 0, 1, 1)
	y := gaussian(20000, 3, 0.5, 2, 2)
	fd, _ := FD(x, y)
	if w := 3*0.25 + 3*1.0; math.Abs(fd-w) > 0.1 {
		t.Errorf("sample FD %v, closed form %v", fd, w)
	}
}

func TestKIDSelfNearZeroShiftedPositive(t *testing.T) {
	x := gaussian(600, 8, 0, 1, 3)
	y := gaussian(600, 8, 0, 1, 4)
	z := gaussian(600, 8, 0.5, 1, 5)
	same, sd, err := KID(x, y, 20, 300, 1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(same) > 3*sd/math.Sqrt(20)+0.01 {
		t.Errorf("KID of equal distributions %v ± %v", same, sd)
	}
	shift, _, _ := KID(x, z, 20, 300, 1)
	if !(shift > 10*math.Abs(same) && shift > 0.05) {
		t.Errorf("KID of shifted sets %v not clearly above %v", shift, same)
	}
	self, _, _ := KID(x, x, 5, 300, 2)
	if math.Abs(self) > 0.05 {
		t.Errorf("KID of a set with itself %v", self)
	}
}

func TestPrecisionRecallDetectsMissingModes(t *testing.T) {
	real := gaussian(400, 2, 0, 1, 6)
	full := gaussian(400, 2, 0, 1, 7)
	// A generator that covers only half of the real support.
	half := gaussian(400, 2, 0, 1, 8)
	for i := 0; i < half.N; i++ {
		half.Data[2*i] = math.Abs(half.Data[2*i])
	}
	p, r, err := PrecisionRecall(real, full, 3)
	if err != nil || p < 0.9 || r < 0.9 {
		t.Fatalf("same distribution: precision %v recall %v (%v)", p, r, err)
	}
	p2, r2, _ := PrecisionRecall(real, half, 3)
	if p2 < 0.9 || r2 > 0.75 {
		t.Fatalf("half support: precision %v (want high), recall %v (want low)", p2, r2)
	}
}

func TestClassHistogramKL(t *testing.T) {
	ref := make([]int, 1000)
	for i := range ref {
		ref[i] = i % 10
	}
	kl, starved := ClassHistogramKL(ref, ref, 10)
	if math.Abs(kl) > 1e-12 || starved != 0 {
		t.Fatalf("identical: KL %v starved %d", kl, starved)
	}
	gen := make([]int, 1000)
	for i := range gen {
		gen[i] = i % 5
	}
	kl, starved = ClassHistogramKL(gen, ref, 10)
	if !(kl > 0.6) || starved != 5 {
		t.Fatalf("half the classes: KL %v starved %d", kl, starved)
	}
}
