package sampler

import (
	"fmt"
	"time"
)

// DefaultBatch is the chunk size of SampleChunks when its batch is 0:
// 10,000 samples. Memory grows with the chunk, not with n: sampling the
// README demo's checkpoint (an MLP of width 256) peaks at about 180 MB of
// resident memory for a chunk of 10,000 2-D points (docs/scale.md), so a
// chunk fits a small machine while keeping the network's matrix products
// large. A run of n ≤ DefaultBatch samples is one chunk, as Sample draws it.
const DefaultBatch = 10_000

// SampleChunks draws the samples cfg.FirstIndex … cfg.FirstIndex+n−1 in
// chunks and passes each chunk's positions (row-major, rows of d =
// cfg.Model.Dim(), first the global index of its first row) to emit, in
// order, before drawing the next, so that memory is bounded by one chunk
// whatever n. Chunks are the cells of a global grid: chunk k holds the
// samples k·batch … (k+1)·batch−1 that lie in the range (batch 0:
// DefaultBatch).
//
// EM, SSCS and GDDIM key every random number by the sample index and treat
// samples independently, so each sample is bit-identical for every batch
// and every split of the range (shards). The ODE sampler controls its step
// size on the whole chunk (one error norm over all its samples), so its
// samples are bit-identical only for the same batch and for ranges whose
// ends lie on the grid (multiples of batch, or the end of the run): then
// every chunk holds the same samples and is solved identically.
//
// The Stats are those of the costliest chunk (NFE, Steps, Rejected; the
// same for every chunk of EM, SSCS and GDDIM) with the total wall time.
// n = 0 draws nothing. Errors: those of Sample, a batch or n < 0, and
// emit's error, returned as is.
// cfg.Callback sees every chunk's steps, with Step.First telling them apart.
func SampleChunks(cfg Config, n, batch int, emit func(first int, x []float64) error) (Stats, error) {
	start := time.Now()
	if batch == 0 {
		batch = DefaultBatch
	}
	var total Stats
	switch {
	case batch < 0:
		return total, fmt.Errorf("sampler: batch = %d, want >= 1 (0: %d)", batch, DefaultBatch)
	case n < 0:
		return total, fmt.Errorf("sampler: n = %d samples, want >= 0", n)
	case cfg.FirstIndex < 0:
		return total, fmt.Errorf("sampler: FirstIndex = %d, want >= 0", cfg.FirstIndex)
	}
	for lo, end := cfg.FirstIndex, cfg.FirstIndex+n; lo < end; {
		hi := min(end, (lo/batch+1)*batch)
		c := cfg
		c.FirstIndex = lo
		x, st, err := Sample(c, hi-lo)
		total.NFE, total.Steps, total.Rejected = max(total.NFE, st.NFE), max(total.Steps, st.Steps), max(total.Rejected, st.Rejected)
		if err != nil {
			total.Wall = time.Since(start)
			return total, err
		}
		if err := emit(lo, x); err != nil {
			total.Wall = time.Since(start)
			return total, err
		}
		lo = hi
	}
	total.Wall = time.Since(start)
	return total, nil
}
