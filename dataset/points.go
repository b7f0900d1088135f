package dataset

import (
	"fmt"
	"math"

	"phasespace/rng"
)

// DefaultValFrac is the held-out fraction of a point file when
// PointOptions.ValFrac is 0.
const DefaultValFrac = 0.1

// Standardisation is the per-dimension affine map z = (x − Mean)/Scale
// fitted on training points; networks see z, users see x. Its JSON form is
// stored in a checkpoint's run description.
type Standardisation struct {
	Mean  []float64 `json:"mean"`
	Scale []float64 `json:"scale"` // the standard deviation per dimension (1 where it is 0)
}

// FitStandardisation returns the per-dimension mean and standard deviation
// (divisor n) of the n×d points x; a dimension with zero spread gets scale
// 1, so that z stays finite.
func FitStandardisation(x []float64, d int) *Standardisation {
	n := len(x) / d
	s := &Standardisation{Mean: make([]float64, d), Scale: make([]float64, d)}
	for j := 0; j < d; j++ {
		m := 0.0
		for i := 0; i < n; i++ {
			m += x[i*d+j]
		}
		m /= float64(n)
		v := 0.0
		for i := 0; i < n; i++ {
			v += (x[i*d+j] - m) * (x[i*d+j] - m)
		}
		s.Mean[j], s.Scale[j] = m, math.Sqrt(v/float64(n))
		if !(s.Scale[j] > 0) || math.IsInf(s.Scale[j], 0) {
			s.Scale[j] = 1
		}
	}
	return s
}

// Dim returns d (0 for a nil map).
func (s *Standardisation) Dim() int {
	if s == nil {
		return 0
	}
	return len(s.Mean)
}

// Apply maps n×d data points x to z = (x − Mean)/Scale in place (a nil
// map is the identity).
func (s *Standardisation) Apply(x []float64) {
	for i := 0; s != nil && i < len(x); i++ {
		j := i % len(s.Mean)
		x[i] = (x[i] - s.Mean[j]) / s.Scale[j]
	}
}

// Invert maps n×d standardised points z back to the data's units,
// x = Mean + Scale·z, in place (a nil map is the identity).
func (s *Standardisation) Invert(z []float64) {
	for i := 0; s != nil && i < len(z); i++ {
		j := i % len(s.Mean)
		z[i] = s.Mean[j] + s.Scale[j]*z[i]
	}
}

// LogDet returns Σ_j log Scale_j, the log-determinant of the map z → x: a
// density of z gives the density of x as p_x(x) = p_z(z)·exp(−LogDet), so
// an NLL in nats of z plus LogDet is the NLL in the data's units (0 for a
// nil map).
func (s *Standardisation) LogDet() float64 {
	t := 0.0
	for j := 0; s != nil && j < len(s.Scale); j++ {
		t += math.Log(s.Scale[j])
	}
	return t
}

// Differs returns the first dimension j whose mean or scale differ
// between s and t by more than rel relative to the larger magnitude (and
// 0 when their dimensions differ), or −1 when they agree.
func (s *Standardisation) Differs(t *Standardisation, rel float64) int {
	if s.Dim() != t.Dim() {
		return 0
	}
	far := func(a, b float64) bool { return math.Abs(a-b) > rel*math.Max(math.Abs(a), math.Abs(b)) }
	for j := range s.Dim() {
		if far(s.Mean[j], t.Mean[j]) || far(s.Scale[j], t.Scale[j]) {
			return j
		}
	}
	return -1
}

// Split returns a seeded partition of rows 0..n−1 into train and val,
// val holding round(valFrac·n) rows: with π = rng.New(seed,
// rng.PurposeSplit).Perm(n), val = π[:round(valFrac·n)] and train = the
// rest of π, both in π's order, so that any prefix of either is a random
// subset.
func Split(n int, valFrac float64, seed uint64) (train, val []int) {
	nv := int(math.Round(valFrac * float64(n)))
	perm := rng.New(seed, rng.PurposeSplit).Perm(n)
	return perm[nv:], perm[:nv]
}

// Rows returns the rows idx of the n×d points x (a new slice).
func Rows(x []float64, d int, idx []int) []float64 {
	out := make([]float64, 0, len(idx)*d)
	for _, i := range idx {
		out = append(out, x[i*d:(i+1)*d]...)
	}
	return out
}

// PointOptions configures OpenPoints. The zero value holds out
// DefaultValFrac of the rows with seed 0.
type PointOptions struct {
	ValFrac float64 // held-out fraction in (0, 0.5] (0: DefaultValFrac)
	Seed    uint64  // seed of the split
	Batch   int     // training rows needed at least (one batch; 0: 1)
}

// PointSet is a point-cloud file split into training and held-out rows,
// both in the data's units, with the standardisation fitted on the
// training rows.
type PointSet struct {
	Path         string
	Dim          int
	Names        []string  // the column names of a CSV header row (nil: none)
	Rows         int       // rows of the file
	Train, Val   []float64 // n_train×Dim and n_val×Dim, data units
	Standardised *Standardisation
}

// OpenPointSet reads the point file path (ReadPoints), splits it
// (Split(rows, ValFrac, Seed)) and fits the standardisation on the
// training rows. Errors name the file: those of the reader, a fraction
// outside (0, 0.5], fewer than 2 held-out rows, fewer training rows than
// one batch.
func OpenPointSet(path string, o PointOptions) (*PointSet, error) {
	vf := o.ValFrac
	if vf == 0 {
		vf = DefaultValFrac
	}
	if !(vf > 0 && vf <= 0.5) {
		return nil, fmt.Errorf("dataset: %s: held-out fraction %v: want 0 < f <= 0.5", path, o.ValFrac)
	}
	x, d, names, err := ReadPointsNamed(path)
	if err != nil {
		return nil, err
	}
	n := len(x) / d
	tr, va := Split(n, vf, o.Seed)
	switch {
	case len(va) < 2:
		return nil, fmt.Errorf("dataset: %s: %d rows hold out %d at fraction %v: want at least 2 held-out rows (more rows, or a larger held-out fraction: train --val-frac)", path, n, len(va), vf)
	case len(tr) < max(o.Batch, 1):
		return nil, fmt.Errorf("dataset: %s: %d training rows (of %d, %d held out) are fewer than one batch of %d: want more rows, a smaller batch (--batch) or a smaller held-out fraction (train --val-frac)", path, len(tr), n, len(va), o.Batch)
	}
	ps := &PointSet{Path: path, Dim: d, Names: names, Rows: n, Train: Rows(x, d, tr), Val: Rows(x, d, va)}
	ps.Standardised = FitStandardisation(ps.Train, d)
	return ps, nil
}

// Points serves the standardised training rows of a PointSet in a seeded
// random order per epoch. It is not safe for concurrent use (it caches the
// current epoch's permutation).
type Points struct {
	set       *PointSet
	z         []float64 // standardised training rows
	permEpoch int64
	perm      []int
}

// NewPoints returns the source serving the training rows of ps,
// standardised.
func NewPoints(ps *PointSet) *Points {
	z := append([]float64(nil), ps.Train...)
	ps.Standardised.Apply(z)
	return &Points{set: ps, z: z}
}

// Set returns the served point set.
func (s *Points) Set() *PointSet { return s.set }

// Dim returns the number of columns d.
func (s *Points) Dim() int { return s.set.Dim }

// Scaling describes the standardisation.
func (s *Points) Scaling() string {
	return fmt.Sprintf("points standardised per dimension, (x-mean)/std of the %d training rows", len(s.z)/s.set.Dim)
}

// Batch writes rows step·n … step·n+n−1 of the epoch-wise permuted
// sequence of standardised training rows into dst (n×d): row g is
// training row perm_e[g mod N] of epoch e = g div N, perm_e =
// rng.New(seed, PurposeTrainBatch, e).Perm(N).
func (s *Points) Batch(dst []float64, n int, seed uint64, step int64) error {
	d := s.set.Dim
	if len(dst) < n*d {
		return fmt.Errorf("dataset: %s: dst holds %d values, a batch of %d needs %d", s.set.Path, len(dst), n, n*d)
	}
	N := int64(len(s.z) / d)
	for i := 0; i < n; i++ {
		g := step*int64(n) + int64(i)
		epoch := g / N
		if s.perm == nil || s.permEpoch != epoch {
			s.perm = rng.New(seed, rng.PurposeTrainBatch, uint64(epoch)).Perm(int(N))
			s.permEpoch = epoch
		}
		r := s.perm[g%N]
		copy(dst[i*d:(i+1)*d], s.z[r*d:(r+1)*d])
	}
	return nil
}
