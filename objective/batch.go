package objective

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync/atomic"

	"phasespace/internal/parallel"
	"phasespace/rng"
	"phasespace/sde"
)

// Batch is one prepared training batch. Its slices are reused by Prepare.
type Batch struct {
	N, D   int
	InDim  int
	OutDim int
	Input  []float32 // N × InDim: (x_t, v_t) per sample, x block then v block
	T      []float32 // N training times
	Times  []float64 // the same times in float64
	Target []float64 // N × OutDim: output-space targets o*
	quad   [][3]float64

	scratch []prepScratch // per-goroutine random streams
	errs    []error       // per-chunk first error
	job     PrepareJob    // the preparation in progress (StartPrepare)
}

func resize[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]T, n)
}

// Prepare fills b from data x0 (n×d row-major): it draws each sample's time,
// initial velocity (DSM) and noise from streams keyed by (seed, step, sample
// index), perturbs with the kernel and computes the output-space targets.
// The samples are prepared in parallel (up to GOMAXPROCS goroutines, each
// with one reusable rng.Stream per purpose); every sample's values depend on
// (seed, step, index) alone, so the batch is the same whatever the number of
// goroutines or the batch size.
func (c *Config) Prepare(b *Batch, x0 []float64, d int, seed, step uint64) error {
	n := len(x0) / max(d, 1)
	w := min(runtime.GOMAXPROCS(0), max(1, n/prepareGrain))
	j, err := c.StartPrepare(b, x0, d, seed, step, w)
	if err != nil {
		return err
	}
	parallel.Workers(w, w, func(worker, _, _ int) { j.Work(worker) })
	return j.Err()
}

// prepareGrain is the number of samples a goroutine claims at a time: a
// sample costs about half a microsecond (a kernel evaluation and its
// draws), so a chunk is tens of microseconds, long against the atomic
// claim and short enough for a goroutine that joins late to share the rest.
const prepareGrain = 32

// PrepareJob is one Prepare split into chunks of samples that goroutines
// claim one at a time (Work), so that goroutines busy with other work when
// the preparation starts can join it when they are free: the training loop
// prepares the next step's batch on one core while the other sums the
// gradient norm and then helps. Each sample's values depend on (seed,
// step, index) alone, so the batch is the same whoever prepares which
// chunk.
type PrepareJob struct {
	c          *Config
	b          *Batch
	x0         []float64
	seed, step uint64
	chunks     int
	next       atomic.Int64 // the next chunk to claim
}

// StartPrepare validates the arguments of Prepare (errors as Prepare's),
// sizes b for the batch and returns the job that fills it: call Work from
// up to workers goroutines, each with its own index 0 ≤ worker < workers,
// then Err once every Work call has returned.
func (c *Config) StartPrepare(b *Batch, x0 []float64, d int, seed, step uint64, workers int) (*PrepareJob, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if d < 1 || len(x0)%d != 0 {
		return nil, fmt.Errorf("objective: data length %d is not a multiple of dimension %d", len(x0), d)
	}
	n := len(x0) / d
	b.N, b.D, b.InDim, b.OutDim = n, d, c.InDim(d), c.OutDim(d)
	b.Input = resize(b.Input, n*b.InDim)
	b.T = resize(b.T, n)
	b.Times = resize(b.Times, n)
	b.Target = resize(b.Target, n*b.OutDim)
	b.quad = resize(b.quad, n)
	if c.ImportanceT {
		c.proposal() // build the cache before the goroutines read it
	}
	for len(b.scratch) < workers {
		b.scratch = append(b.scratch, prepScratch{time: rng.NewStream(), noise: rng.NewStream()})
	}
	j := &b.job
	j.c, j.b, j.x0, j.seed, j.step = c, b, x0, seed, step
	j.chunks = (n + prepareGrain - 1) / prepareGrain
	j.next.Store(0)
	b.errs = resize(b.errs, j.chunks)
	clear(b.errs)
	return j, nil
}

// Work prepares chunks until none is left to claim; worker (below the
// workers given to StartPrepare) picks the goroutine's scratch.
func (j *PrepareJob) Work(worker int) {
	b := j.b
	for {
		k := int(j.next.Add(1) - 1)
		if k >= j.chunks {
			return
		}
		lo := k * prepareGrain
		b.errs[k] = j.c.prepareRows(b, j.x0, j.seed, j.step, lo, min(lo+prepareGrain, b.N), &b.scratch[worker])
	}
}

// Err is the error of the lowest failing sample, nil if none failed.
func (j *PrepareJob) Err() error {
	for _, err := range j.b.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// prepScratch is one goroutine's reusable random streams.
type prepScratch struct{ time, noise *rng.Stream }

// prepareRows prepares samples lo … hi−1 of b (see Prepare) and returns the
// first failing sample's error.
func (c *Config) prepareRows(b *Batch, x0 []float64, seed, step uint64, lo, hi int, s *prepScratch) error {
	d := b.D
	p := c.Process
	obj, w8 := c.objective(), c.weighting()
	sv0 := math.Sqrt(p.InitVelVar * p.Mass())
	tr, nr := s.time, s.noise
	for i := lo; i < hi; i++ {
		tr.Reset(seed, rng.PurposeTrainTime, step, uint64(i))
		t, w := c.drawTime(tr.Float64())
		pa, err := c.paramAt(t)
		if err != nil {
			return fmt.Errorf("objective: sample %d at t = %v: %w", i, t, err)
		}
		b.T[i], b.Times[i] = float32(t), t
		qxx, qxv, qvv := pa.quad(w8)
		b.quad[i] = [3]float64{w * qxx, w * qxv, w * qvv}
		li11, li12, li22 := pa.kern.L.InvT()
		nr.Reset(seed, rng.PurposeTrainNoise, step, uint64(i))
		for j := 0; j < d; j++ {
			x := x0[i*d+j]
			ex := nr.NormFloat64()
			var v0, ev float64
			if p.Order() == 2 {
				ev = nr.NormFloat64()
				if obj == sde.DSM {
					v0 = sv0 * nr.NormFloat64()
				}
			}
			xt, vt := pa.kern.Perturb(x, v0, ex, ev)
			var sx, sv float64
			if p.Order() == 1 {
				sx = -ex * li11
			} else {
				sx, sv = -(li11*ex + li12*ev), -li22*ev
			}
			ox, ov := pa.targetOf(xt, vt, sx, sv)
			b.Input[i*b.InDim+j] = float32(xt)
			if p.Order() == 2 {
				b.Input[i*b.InDim+d+j] = float32(vt)
			}
			switch {
			case b.OutDim == 2*d:
				b.Target[i*b.OutDim+j] = ox
				b.Target[i*b.OutDim+d+j] = ov
			case p.Order() == 1:
				b.Target[i*b.OutDim+j] = ox
			default:
				b.Target[i*b.OutDim+j] = ov
			}
		}
	}
	return nil
}

// Loss returns the batch-mean loss of network output out (N × OutDim) and,
// when grad is non-nil, writes ∂loss/∂out into it.
func (b *Batch) Loss(out []float32, grad []float32) float64 {
	total := 0.0
	inv := 1 / float64(b.N)
	d := b.D
	for i := 0; i < b.N; i++ {
		q := b.quad[i]
		row := out[i*b.OutDim : (i+1)*b.OutDim]
		tgt := b.Target[i*b.OutDim : (i+1)*b.OutDim]
		if b.OutDim == 2*d {
			for j := 0; j < d; j++ {
				dx := float64(row[j]) - tgt[j]
				dv := float64(row[d+j]) - tgt[d+j]
				total += q[0]*dx*dx + 2*q[1]*dx*dv + q[2]*dv*dv
				if grad != nil {
					grad[i*b.OutDim+j] = float32(2 * (q[0]*dx + q[1]*dv) * inv)
					grad[i*b.OutDim+d+j] = float32(2 * (q[1]*dx + q[2]*dv) * inv)
				}
			}
			continue
		}
		// One output per coordinate: its coefficient is q[0] (VP) or q[2].
		w := q[2]
		if q[0] != 0 {
			w = q[0]
		}
		for j := 0; j < d; j++ {
			dd := float64(row[j]) - tgt[j]
			total += w * dd * dd
			if grad != nil {
				grad[i*b.OutDim+j] = float32(2 * w * dd * inv)
			}
		}
	}
	return total * inv
}

// drawTime maps u ~ U[0,1) to a training time and its importance weight.
func (c *Config) drawTime(u float64) (t, w float64) {
	lo := c.lossEps()
	if !c.ImportanceT {
		return lo + (1-lo)*u, 1
	}
	pr := c.proposal()
	k := sort.SearchFloat64s(pr.cdf, u)
	if k >= len(pr.dens) {
		k = len(pr.dens) - 1
	}
	prev := 0.0
	if k > 0 {
		prev = pr.cdf[k-1]
	}
	frac := (u - prev) / (pr.cdf[k] - prev)
	t = pr.edges[k] + frac*(pr.edges[k+1]-pr.edges[k])
	return t, 1 / ((1 - lo) * pr.dens[k])
}

type proposal struct {
	edges []float64 // cell boundaries, geometric from LossEps to 1
	dens  []float64 // normalised density per cell
	cdf   []float64 // cumulative mass at each cell's right edge

	// The inputs it was built from (Config.prop is rebuilt when they change).
	process *sde.Process
	lo      float64
	obj     sde.Objective
}

// proposal returns the importance-sampling density for t: piecewise
// constant on 512 geometric cells, ∝ ½tr(GGᵀ(t)Σ_t⁻¹), the expected squared
// score target under the ml weighting.
func (c *Config) proposal() *proposal {
	lo, obj := c.lossEps(), c.objective()
	if pr := c.prop; pr != nil && pr.process == c.Process && pr.lo == lo && pr.obj == obj {
		return pr
	}
	const cells = 512
	pr := &proposal{edges: make([]float64, cells+1), dens: make([]float64, cells), cdf: make([]float64, cells),
		process: c.Process, lo: lo, obj: obj}
	for k := range pr.edges {
		pr.edges[k] = lo * math.Pow(1/lo, float64(k)/cells)
	}
	pr.edges[cells] = 1
	total := 0.0
	for k := 0; k < cells; k++ {
		mid := math.Sqrt(pr.edges[k] * pr.edges[k+1])
		ks := c.Process.MustKernel(mid, obj)
		g := c.Process.DiffusionSq(mid)
		var tr float64
		if c.Process.Order() == 1 {
			tr = g.XX / ks.Sigma.XX
		} else {
			det := ks.Sigma.Det()
			tr = (g.XX*ks.Sigma.VV + g.VV*ks.Sigma.XX) / det
		}
		pr.dens[k] = tr / 2
		total += pr.dens[k] * (pr.edges[k+1] - pr.edges[k])
		pr.cdf[k] = total
	}
	for k := range pr.dens {
		pr.dens[k] /= total
		pr.cdf[k] /= total
	}
	pr.cdf[cells-1] = 1
	c.prop = pr
	return pr
}
