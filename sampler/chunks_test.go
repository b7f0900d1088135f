package sampler

import (
	"errors"
	"slices"
	"testing"
)

// chunked runs SampleChunks and returns the concatenated positions, checking
// that chunks arrive in order and on the global grid of batch.
func chunked(t *testing.T, c Config, n, batch int) []float64 {
	t.Helper()
	var out []float64
	next := c.FirstIndex
	d := c.Model.Dim()
	if batch == 0 {
		batch = DefaultBatch
	}
	if _, err := SampleChunks(c, n, batch, func(first int, x []float64) error {
		if first != next || len(x)%d != 0 || len(x) == 0 || len(x)/d > batch {
			t.Fatalf("chunk at %d of %d rows, want it at %d with 1..%d rows", first, len(x)/d, next, batch)
		}
		if end := first + len(x)/d; end != c.FirstIndex+n && end%batch != 0 {
			t.Fatalf("chunk %d…%d ends off the grid of %d", first, end-1, batch)
		}
		next += len(x) / d
		out = append(out, x...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if next != c.FirstIndex+n {
		t.Fatalf("chunks cover %d…%d, want %d…%d", c.FirstIndex, next-1, c.FirstIndex, c.FirstIndex+n-1)
	}
	return out
}

// TestSampleChunksBitIdentical: EM, SSCS and GDDIM give every sample
// bit-identical whatever the chunk size and wherever the range starts; the
// ODE gives, for a fixed chunk size, chunks identical to standalone runs
// of the same samples, so a range whose ends lie on the grid (a shard)
// reproduces the single run.
func TestSampleChunksBitIdentical(t *testing.T) {
	t.Parallel()
	const n = 300
	for _, p := range processes(t) {
		o := toyOracle(t, p, "8gaussians")
		for _, m := range []Method{EM, SSCS, GDDIM, ODE} {
			c := Config{Process: p, Model: o, Method: m, NFE: 8, Seed: 5, RTol: 1e-3, ATol: 1e-3}
			if m == ODE {
				c.NFE = 0
			}
			full, _ := mustSample(t, c, n)
			if got := chunked(t, c, n, 0); !slices.Equal(got, full) {
				t.Fatalf("%v %v: the default batch differs from Sample for n = %d", p.Kind, m, n)
			}
			if m == ODE {
				const b = 64
				grid := chunked(t, c, n, b)
				for lo := 0; lo < n; lo += b {
					c.FirstIndex = lo
					alone, _ := mustSample(t, c, min(b, n-lo))
					if !slices.Equal(alone, grid[2*lo:2*(lo+len(alone)/2)]) {
						t.Fatalf("%v ODE: chunk at %d differs from a standalone run of its samples", p.Kind, lo)
					}
				}
				c.FirstIndex = 128 // a shard 128…299 of the same grid
				if !slices.Equal(chunked(t, c, n-128, b), grid[2*128:]) {
					t.Fatalf("%v ODE: a range starting on the grid differs from the single run", p.Kind)
				}
				continue
			}
			for _, b := range []int{1, 7, 100, 299} {
				if got := chunked(t, c, n, b); !slices.Equal(got, full) {
					t.Fatalf("%v %v: batch %d differs from the run of %d", p.Kind, m, b, n)
				}
			}
			c.FirstIndex = 77
			if got := chunked(t, c, n-77, 10); !slices.Equal(got, full[2*77:]) {
				t.Fatalf("%v %v: samples 77… drawn alone in chunks of 10 differ", p.Kind, m)
			}
		}
	}
}

// TestSampleChunksErrors: emit's error stops the run and comes back as is;
// a negative batch or n is refused; n = 0 draws nothing.
func TestSampleChunksErrors(t *testing.T) {
	t.Parallel()
	p := processes(t)[1]
	c := Config{Process: p, Model: toyOracle(t, p, "diamond"), Method: EM, NFE: 4}
	stop := errors.New("disk full")
	calls := 0
	if _, err := SampleChunks(c, 10, 3, func(int, []float64) error { calls++; return stop }); err != stop || calls != 1 {
		t.Errorf("emit error: got %v after %d calls, want it after 1", err, calls)
	}
	for _, bad := range [][2]int{{10, -1}, {-1, 3}} {
		if _, err := SampleChunks(c, bad[0], bad[1], func(int, []float64) error { return nil }); err == nil {
			t.Errorf("n %d, batch %d accepted", bad[0], bad[1])
		}
	}
	if _, err := SampleChunks(c, 0, 3, func(int, []float64) error { t.Fatal("emit called for n = 0"); return nil }); err != nil {
		t.Errorf("n = 0: %v", err)
	}
}

// TestRecordPathsAcrossChunks: the paths of the first samples are recorded
// from the chunk that holds them only.
func TestRecordPathsAcrossChunks(t *testing.T) {
	paths := make([][][4]float64, 3)
	RecordPaths(paths, Step{First: 0, X: []float64{1, 2, 3, 4}}, 2)
	RecordPaths(paths, Step{First: 2, X: []float64{5, 6, 7, 8}}, 2)
	RecordPaths(paths, Step{First: 4, X: []float64{9, 10}}, 2)
	if len(paths[0]) != 1 || len(paths[1]) != 1 || len(paths[2]) != 1 || paths[2][0][0] != 5 || paths[1][0][0] != 3 {
		t.Fatalf("paths %v", paths)
	}
}
