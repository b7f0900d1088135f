package objective

import (
	"math"
	"runtime"
	"testing"

	"phasespace/rng"
	"phasespace/sde"
)

// Prepare gives every sample the same bits whatever the number of
// goroutines and the batch size (rows are keyed by their index), and its
// streams are rng.New(seed, purpose, step, index), one per sample: the time
// and the noise of each row are checked against those streams drawn
// independently.
func TestPrepareDoesNotDependOnGoroutinesOrBatchSize(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	const n, d, seed, step = 300, 2, 17, 5
	x0 := make([]float64, n*d)
	r := newTestRand(9)
	for i := range x0 {
		x0[i] = r.NormFloat64()
	}
	same := func(a, b []float64) bool {
		for i := range a {
			if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
				return false
			}
		}
		return true
	}
	for k, c := range configs(t) {
		var ref Batch
		runtime.GOMAXPROCS(1)
		if err := c.Prepare(&ref, x0, d, seed, step); err != nil {
			t.Fatal(err)
		}
		for _, procs := range []int{2, 3} {
			for _, m := range []int{n, 1, 7, 130} {
				runtime.GOMAXPROCS(procs)
				var b Batch
				if err := c.Prepare(&b, x0[:m*d], d, seed, step); err != nil {
					t.Fatal(err)
				}
				in32 := func(v []float32) []float64 {
					out := make([]float64, len(v))
					for i, x := range v {
						out[i] = float64(x)
					}
					return out
				}
				qa, qb := make([]float64, 0, 3*m), make([]float64, 0, 3*m)
				for i := 0; i < m; i++ {
					qa, qb = append(qa, ref.quad[i][:]...), append(qb, b.quad[i][:]...)
				}
				if !same(b.Times, ref.Times[:m]) || !same(in32(b.Input), in32(ref.Input[:m*b.InDim])) ||
					!same(b.Target, ref.Target[:m*b.OutDim]) || !same(qb, qa) {
					t.Errorf("config %d: batch of %d at GOMAXPROCS %d differs from the batch of %d at 1", k, m, procs, n)
				}
			}
		}
		if c.ImportanceT || c.Process.Kind != sde.CLD || c.objective() != sde.HSM {
			continue
		}
		// HSM: v0 = 0, x_t, v_t = Perturb(x0, 0, εx, εv).
		for i := 0; i < n; i++ {
			tt, _ := c.drawTime(rng.New(seed, rng.PurposeTrainTime, step, uint64(i)).Float64())
			pa, err := c.paramAt(tt)
			if err != nil {
				t.Fatal(err)
			}
			nr := rng.New(seed, rng.PurposeTrainNoise, step, uint64(i))
			for j := 0; j < d; j++ {
				ex := nr.NormFloat64()
				ev := nr.NormFloat64()
				xt, vt := pa.kern.Perturb(x0[i*d+j], 0, ex, ev)
				if ref.Times[i] != tt || ref.Input[i*ref.InDim+j] != float32(xt) || ref.Input[i*ref.InDim+d+j] != float32(vt) {
					t.Fatalf("config %d, sample %d: not the per-sample streams' values", k, i)
				}
			}
		}
	}
}

// A PrepareJob worked by one goroutine, by two at once, or by one that
// joins after the other has taken every chunk but the last (the training
// loop's case: the norm's goroutine joins late) fills the batch bit for bit
// as Prepare at GOMAXPROCS 1, and a batch reused for a smaller one is
// refilled the same way.
func TestPrepareJobDoesNotDependOnWhoWorks(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	const n, d, seed, step = 200, 2, 3, 11
	x0 := make([]float64, n*d)
	r := newTestRand(4)
	for i := range x0 {
		x0[i] = r.NormFloat64()
	}
	bits := func(b *Batch) []uint64 {
		var out []uint64
		for _, v := range b.Input {
			out = append(out, uint64(math.Float32bits(v)))
		}
		for _, v := range append(append([]float64{}, b.Times...), b.Target...) {
			out = append(out, math.Float64bits(v))
		}
		for _, q := range b.quad {
			for _, v := range q {
				out = append(out, math.Float64bits(v))
			}
		}
		return out
	}
	for k, c := range configs(t) {
		runtime.GOMAXPROCS(1)
		var ref Batch
		if err := c.Prepare(&ref, x0, d, seed, step); err != nil {
			t.Fatal(err)
		}
		want := bits(&ref)
		runtime.GOMAXPROCS(2)
		var b Batch
		for _, mode := range []string{"one", "both", "late"} {
			if err := c.Prepare(&b, x0[:7*d], d, seed, step); err != nil { // dirty and resized
				t.Fatal(err)
			}
			j, err := c.StartPrepare(&b, x0, d, seed, step, 2)
			if err != nil {
				t.Fatal(err)
			}
			switch mode {
			case "one":
				j.Work(1)
			case "both":
				done := make(chan struct{})
				go func() { j.Work(0); close(done) }()
				j.Work(1)
				<-done
			case "late":
				j.chunks-- // hold back the last chunk while worker 1 takes the rest
				j.Work(1)
				j.chunks++
				j.Work(0)
			}
			if err := j.Err(); err != nil {
				t.Fatal(err)
			}
			got := bits(&b)
			if len(got) != len(want) {
				t.Fatalf("config %d, %s: %d values, want %d", k, mode, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("config %d, %s: value %d differs from Prepare at GOMAXPROCS 1", k, mode, i)
				}
			}
		}
	}
}
