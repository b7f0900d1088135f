package featuremetrics

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"gonum.org/v1/gonum/mat"

	"phasespace/internal/parallel"
)

// Features is an n×d row-major matrix of feature vectors.
type Features struct {
	N, D int
	Data []float64
}

// Row returns feature vector i.
func (f Features) Row(i int) []float64 { return f.Data[i*f.D : (i+1)*f.D] }

func (f Features) check(name string) error {
	if f.N < 2 || f.D < 1 || len(f.Data) != f.N*f.D {
		return fmt.Errorf("featuremetrics: %s has %d×%d features (%d values): need at least 2 vectors", name, f.N, f.D, len(f.Data))
	}
	return nil
}

// MeanCov returns the mean and the unbiased covariance of f.
func MeanCov(f Features) ([]float64, *mat.SymDense) {
	mu := make([]float64, f.D)
	for i := 0; i < f.N; i++ {
		for j, v := range f.Row(i) {
			mu[j] += v
		}
	}
	for j := range mu {
		mu[j] /= float64(f.N)
	}
	c := mat.NewSymDense(f.D, nil)
	centred := mat.NewDense(f.N, f.D, nil)
	for i := 0; i < f.N; i++ {
		for j, v := range f.Row(i) {
			centred.Set(i, j, v-mu[j])
		}
	}
	c.SymOuterK(1/float64(f.N-1), centred.T())
	return mu, c
}

// FrechetFromMoments returns ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁^½ Σ₂ Σ₁^½)^½),
// computed with symmetric eigendecompositions (negative eigenvalues from
// rounding are clamped to 0); Heusel et al. 2017, Eq. 6, with the
// project's features (docs/metrics.md, Image metrics). The result is in
// squared feature units. It returns an error when the dimensions of the
// means and covariances differ or an eigendecomposition fails.
func FrechetFromMoments(mu1 []float64, s1 *mat.SymDense, mu2 []float64, s2 *mat.SymDense) (float64, error) {
	d := len(mu1)
	if len(mu2) != d || s1.SymmetricDim() != d || s2.SymmetricDim() != d {
		return 0, errors.New("featuremetrics: moment dimensions differ")
	}
	r1, err := sqrtSym(s1)
	if err != nil {
		return 0, err
	}
	var m mat.Dense
	m.Mul(r1, s2)
	m.Mul(&m, r1)
	inner := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			inner.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(inner, false) {
		return 0, errors.New("featuremetrics: eigendecomposition failed")
	}
	trSqrt := 0.0
	for _, v := range es.Values(nil) {
		if v > 0 {
			trSqrt += math.Sqrt(v)
		}
	}
	dist := 0.0
	for i := 0; i < d; i++ {
		dd := mu1[i] - mu2[i]
		dist += dd*dd + s1.At(i, i) + s2.At(i, i)
	}
	return dist - 2*trSqrt, nil
}

func sqrtSym(s *mat.SymDense) (*mat.Dense, error) {
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		return nil, errors.New("featuremetrics: eigendecomposition failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	d := len(vals)
	out := mat.NewDense(d, d, nil)
	for k, v := range vals {
		r := math.Sqrt(math.Max(v, 0))
		for i := 0; i < d; i++ {
			for j := 0; j < d; j++ {
				out.Set(i, j, out.At(i, j)+r*vecs.At(i, k)*vecs.At(j, k))
			}
		}
	}
	return out, nil
}

// FD returns the Fréchet distance between Gaussians fitted to a and b
// (means and unbiased covariances, FrechetFromMoments). It returns an error
// when a set has fewer than 2 vectors or a length that is not N×D, or when
// the widths differ.
func FD(a, b Features) (float64, error) {
	if err := a.check("first set"); err != nil {
		return 0, err
	}
	if err := b.check("second set"); err != nil {
		return 0, err
	}
	if a.D != b.D {
		return 0, fmt.Errorf("featuremetrics: feature widths %d and %d differ", a.D, b.D)
	}
	m1, s1 := MeanCov(a)
	m2, s2 := MeanCov(b)
	return FrechetFromMoments(m1, s1, m2, s2)
}

// KID returns the mean and standard deviation over subsets of the unbiased
// MMD² with kernel k(x, y) = (xᵀy/d + 1)³ between random subsets of size m
// of a and b (m is reduced to the smaller set size when larger);
// Bińkowski et al. 2018, docs/metrics.md, Image metrics. Subsets are drawn
// from seed. It returns an error for a malformed set (as FD), different
// widths, subsets < 1 or m < 2.
func KID(a, b Features, subsets, m int, seed uint64) (mean, std float64, err error) {
	if err := a.check("first set"); err != nil {
		return 0, 0, err
	}
	if err := b.check("second set"); err != nil {
		return 0, 0, err
	}
	if a.D != b.D {
		return 0, 0, fmt.Errorf("featuremetrics: feature widths %d and %d differ", a.D, b.D)
	}
	m = min(m, a.N, b.N)
	if subsets < 1 || m < 2 {
		return 0, 0, fmt.Errorf("featuremetrics: KID needs >= 1 subset of >= 2 vectors (got %d of %d)", subsets, m)
	}
	vals := make([]float64, subsets)
	d := float64(a.D)
	k := func(x, y []float64) float64 {
		s := 0.0
		for i := range x {
			s += x[i] * y[i]
		}
		s = s/d + 1
		return s * s * s
	}
	parallel.For(subsets, 1, func(lo, hi int) {
		for s := lo; s < hi; s++ {
			r := rand.New(rand.NewPCG(seed, uint64(s)))
			ia := r.Perm(a.N)[:m]
			ib := r.Perm(b.N)[:m]
			var kxx, kyy, kxy float64
			for i := 0; i < m; i++ {
				for j := 0; j < m; j++ {
					if i != j {
						kxx += k(a.Row(ia[i]), a.Row(ia[j]))
						kyy += k(b.Row(ib[i]), b.Row(ib[j]))
					}
					kxy += k(a.Row(ia[i]), b.Row(ib[j]))
				}
			}
			mm := float64(m)
			vals[s] = (kxx+kyy)/(mm*(mm-1)) - 2*kxy/(mm*mm)
		}
	})
	for _, v := range vals {
		mean += v
	}
	mean /= float64(subsets)
	for _, v := range vals {
		std += (v - mean) * (v - mean)
	}
	if subsets > 1 {
		std = math.Sqrt(std / float64(subsets-1))
	}
	return mean, std, nil
}

// kthNeighbourRadii returns, for each vector of f, the distance to its k-th
// nearest neighbour within f (excluding itself).
func kthNeighbourRadii(f Features, k int) []float64 {
	r := make([]float64, f.N)
	parallel.For(f.N, 16, func(lo, hi int) {
		d := make([]float64, f.N)
		for i := lo; i < hi; i++ {
			for j := 0; j < f.N; j++ {
				d[j] = sqDist(f.Row(i), f.Row(j))
			}
			d[i] = math.Inf(1)
			tmp := append([]float64(nil), d...)
			sort.Float64s(tmp)
			r[i] = tmp[k-1]
		}
	})
	return r
}

func sqDist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

// coverage returns the fraction of q's vectors inside the union of balls
// around p's vectors with radii rp (squared distances).
func coverage(q, p Features, rp []float64) float64 {
	hits := make([]bool, q.N)
	parallel.For(q.N, 16, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for j := 0; j < p.N; j++ {
				if sqDist(q.Row(i), p.Row(j)) <= rp[j] {
					hits[i] = true
					break
				}
			}
		}
	})
	n := 0
	for _, h := range hits {
		if h {
			n++
		}
	}
	return float64(n) / float64(q.N)
}

// PrecisionRecall returns improved precision (fraction of generated vectors
// inside the real k-NN manifold) and recall (fraction of real vectors inside
// the generated manifold), Kynkäänniemi et al. 2019 (docs/metrics.md, Image
// metrics), both in [0, 1]. The manifolds are the unions of balls reaching
// each vector's k-th nearest neighbour in its own set. It returns an error
// for a malformed set (as FD), different widths, or k outside
// 1 ≤ k < min(real.N, gen.N).
func PrecisionRecall(real, gen Features, k int) (precision, recall float64, err error) {
	if err := real.check("real set"); err != nil {
		return 0, 0, err
	}
	if err := gen.check("generated set"); err != nil {
		return 0, 0, err
	}
	if k < 1 || k >= min(real.N, gen.N) {
		return 0, 0, fmt.Errorf("featuremetrics: k = %d, want 1 <= k < %d", k, min(real.N, gen.N))
	}
	rr := kthNeighbourRadii(real, k)
	rg := kthNeighbourRadii(gen, k)
	return coverage(gen, real, rr), coverage(real, gen, rg), nil
}

// ClassHistogramKL returns KL(p̂_gen ‖ p_ref) between the histograms of
// predicted classes (with add-half smoothing of the counts) and the number
// of classes whose generated count is below 10% of its expected count.
func ClassHistogramKL(gen, ref []int, classes int) (kl float64, starved int) {
	hg := make([]float64, classes)
	hr := make([]float64, classes)
	for _, c := range gen {
		hg[c]++
	}
	for _, c := range ref {
		hr[c]++
	}
	ng, nr := float64(len(gen))+0.5*float64(classes), float64(len(ref))+0.5*float64(classes)
	for c := 0; c < classes; c++ {
		expected := hr[c] / float64(len(ref)) * float64(len(gen))
		if hg[c] < 0.1*expected {
			starved++
		}
		p := (hg[c] + 0.5) / ng
		q := (hr[c] + 0.5) / nr
		kl += p * math.Log(p/q)
	}
	return kl, starved
}
