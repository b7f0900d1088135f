package experiment

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"phasespace/dataset"
	"phasespace/evaluate"
	"phasespace/internal/atomicfile"
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
// SampleFile writes for the whole run; std, if set, maps the samples to a
// point-file run's units (SampleOutput.Standardisation). It returns the line
// that reports the shard: its number, from (where it came from), its rows,
// whether it was already done and its directory. An out that shard.CheckOut
// refuses is a *ConfigError (Out), before anything is written.
func SampleShard(out string, m shard.Manifest, cfg sampler.Config, batch int, std *dataset.Standardisation, from string) (string, error) {
	if err := shard.CheckOut(out, m.Shard); err != nil {
		return "", &ConfigError{Field: "Out", Err: err}
	}
	align := 1
	if cfg.Method == sampler.ODE {
		align = cmp.Or(batch, sampler.DefaultBatch)
	}
	lo, hi := m.Shard.Range(m.N, align)
	m.Rows, m.Files = [2]int{lo, hi}, []string{"samples.csv"}
	dir, n := shard.Dir(out, m.Shard), m.N
	cfg.FirstIndex = lo
	skipped, err := shard.Run(dir, &m, func() error {
		_, err := sampleFile(SampleOutput{Path: filepath.Join(dir, "samples.csv"), Standardisation: std}, cfg, hi-lo, batch)
		return err
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("shard %v (%s): samples [%d, %d) of %d %s in %s\n", m.Shard, from, lo, hi, n, map[bool]string{true: "already done", false: "written"}[skipped], dir), nil
}

// Merge combines the shard directories dirs of one run into out
// (shard.Merge: the files of a single process, byte for byte); for an
// imagebench run it writes what ImageBench writes (MergeImageBench) and
// reports results.md as the merged file; for an eval run it writes
// out/eval.json, the report of the single run as `eval --json` prints it (evaluate.MergeShards, evaluate.WriteJSON), and returns
// that report (nil for other commands).
//
// out must be new or empty (else an error matching shard.ErrArguments), so
// that two runs never mix in it; a merge that fails leaves it as it was.
func Merge(out string, dirs []string) (m shard.Manifest, res map[string]any, err error) {
	st, statErr := os.Stat(out)
	if statErr == nil && !st.IsDir() {
		return m, nil, fmt.Errorf("--out %s is a file: merge writes a directory: %w", out, shard.ErrArguments)
	} else if ents, err := os.ReadDir(out); statErr == nil && (err != nil || len(ents) > 0) {
		return m, nil, fmt.Errorf("--out %s already holds files: merge writes into a new or empty directory, so that two runs never mix (give another --out, or delete it): %w", out, shard.ErrArguments)
	} else if statErr != nil && !errors.Is(statErr, fs.ErrNotExist) {
		return m, nil, fmt.Errorf("experiment: %w", statErr)
	}
	defer func() {
		if err == nil {
			return
		}
		if statErr != nil { // out did not exist: remove what the merge made
			os.RemoveAll(out)
			return
		}
		ents, _ := os.ReadDir(out) // out was empty: empty it again
		for _, e := range ents {
			os.RemoveAll(filepath.Join(out, e.Name()))
		}
	}()
	var parts []shard.Manifest
	m, parts, err = shard.Merge(out, dirs)
	if err == nil && m.Command == "imagebench" {
		m.Files = []string{"results.md"}
		_, err = MergeImageBench(out, dirs)
	}
	if err != nil || m.Command != "eval" {
		return m, nil, err
	}
	res, err = evaluate.MergeShards(out, parts)
	var b bytes.Buffer
	if err == nil {
		err = evaluate.WriteJSON(&b, res)
	}
	if err == nil {
		err = atomicfile.Write(filepath.Join(out, "eval.json"), b.Bytes())
	}
	if err != nil {
		return m, nil, fmt.Errorf("experiment: %w", err)
	}
	return m, res, nil
}
