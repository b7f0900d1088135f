package experiment

import (
	"cmp"
	"path/filepath"

	"phasespace/sampler"
	"phasespace/shard"
)

// SampleShard draws the samples of shard m.Shard of a run of m.N samples
// (sampler.SampleChunks in chunks of batch, 0: sampler.DefaultBatch) into
// shard.Dir(out, m.Shard)/samples.csv and writes the manifest m with its
// rows and files filled in, unless that shard is already done there
// (skipped; shard.Run). The shard's rows are shard.Spec.Range of m.N, on
// the chunk grid for the ODE sampler (whose chunks must be those of the
// single run), so the merged shards are byte for byte the CSV that
// SampleFile writes for the whole run. It returns the shard's directory
// and manifest.
func SampleShard(out string, m shard.Manifest, cfg sampler.Config, batch int) (dir string, done shard.Manifest, skipped bool, err error) {
	align := 1
	if cfg.Method == sampler.ODE {
		align = cmp.Or(batch, sampler.DefaultBatch)
	}
	lo, hi := m.Shard.Range(m.N, align)
	m.Rows, m.Files, dir = [2]int{lo, hi}, []string{"samples.csv"}, shard.Dir(out, m.Shard)
	cfg.FirstIndex = lo
	skipped, err = shard.Run(dir, &m, func() error {
		_, err := SampleFile(filepath.Join(dir, "samples.csv"), "", cfg, hi-lo, batch)
		return err
	})
	return dir, m, skipped, err
}
