package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"phasespace/dataset"
	"phasespace/internal/atomicfile"
	"phasespace/shard"
)

// imageBenchShard runs shard c.Shard of the benchmark, in one of two job
// arrays over the same Out (a shared file system: every shard reads and
// writes it):
//
//   - With TrainOnly, the SDEs of shard.Spec.Range(len(SDEs), 1), each
//     trained into Out/<sde> as the single run trains it and marked
//     finished by Out/<sde>/trained.json (trainForBench; a trained SDE is
//     skipped); shard 0 also trains the classifier into
//     Out/classifier.safetensors unless c.Classifier names one. It writes
//     no manifest: the models are the single run's.
//   - Without it, the cells of shard.Spec.Range(len(cells), 1) of
//     BenchCells(SDEs, Samplers), evaluated from the trained models in
//     Out/<sde> (an SDE whose trained.json is missing or records other
//     settings is an error naming it and the --train-only command) with the
//     classifier of c.Classifier or Out (missing: an error), each cell's
//     JSON and grid written atomically into Out/shard-III-of-NNN as the
//     single run lays them out in Out. The shard of an SDE's bits/dim
//     cell copies its loss curve there; shard 0 copies Out's classifier.
//     The manifest (shard.Run) records the cells (its rows) and the
//     configuration, so that a rerun of a finished shard does nothing and
//     MergeImageBench can check the shards and write the table.
func imageBenchShard(ctx context.Context, c ImageBenchConfig) (string, error) {
	if c.TrainOnly {
		return imageBenchTrainShard(ctx, c)
	}
	cells := BenchCells(c.SDEs, c.Samplers)
	lo, hi := c.Shard.Range(len(cells), 1)
	rec := c
	rec.Out, rec.TrainThreads = "", 0 // neither changes a result
	cfg, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("experiment: %w", err)
	}
	sum := sha256.Sum256(cfg)
	dir := shard.Dir(c.Out, c.Shard)
	m := shard.Manifest{Command: "imagebench", Model: "imagebench of " + c.Data, Seed: c.Seed, N: len(cells), Shard: c.Shard, Rows: [2]int{lo, hi},
		ConfigHash: hex.EncodeToString(sum[:8]), Result: cfg}
	copyClassifier := c.Shard.Index == 0 && c.Classifier == ""
	skipped, err := shard.Run(dir, &m, func() error {
		for _, cell := range cells[lo:hi] {
			if err := checkTrained(c, cell.SDE); err != nil {
				return err
			}
		}
		if lo == hi && !copyClassifier {
			return nil
		}
		sc := c
		sc.Out = dir
		if c.Classifier == "" {
			sc.Classifier = filepath.Join(c.Out, "classifier.safetensors")
			if _, err := os.Stat(sc.Classifier); err != nil {
				return fmt.Errorf("experiment: no classifier %s: the imagebench --train-only shard 0/N trains it, or give --classifier (phasespace classifier --data %s --out FILE)", sc.Classifier, c.Data)
			}
		}
		if copyClassifier {
			if err := copyMatches(c.Out, dir, "classifier.safetensors"); err != nil {
				return err
			}
		}
		if lo == hi {
			return nil
		}
		e, err := newBenchEval(sc, c.Out, false)
		if err != nil {
			return err
		}
		for _, cell := range cells[lo:hi] {
			if !cell.BPD {
				_, err = e.column(cell.SDE, cell.Sampler)
			} else if _, err = e.bpd(cell.SDE); err == nil {
				err = copyMatches(c.Out, dir, filepath.Join(cell.SDE.String(), "loss.*"))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("shard %v: cells [%d, %d) of %d %s in %s\n", c.Shard, lo, hi, len(cells), map[bool]string{true: "already done", false: "evaluated"}[skipped], dir), nil
}

// imageBenchTrainShard trains the SDEs of shard c.Shard into Out/<sde>
// (those already trained with c's settings are left alone) and, in shard 0
// without c.Classifier, the classifier into Out (kept when present).
func imageBenchTrainShard(ctx context.Context, c ImageBenchConfig) (string, error) {
	lo, hi := c.Shard.Range(len(c.SDEs), 1)
	sc := c
	sc.SDEs = c.SDEs[lo:hi]
	done := true
	for _, k := range sc.SDEs {
		done = done && checkTrained(c, k) == nil
	}
	if err := trainAll(ctx, sc); err != nil {
		return "", err
	}
	line := fmt.Sprintf("shard %v: SDEs %v %s in %s", c.Shard, sc.SDEs, map[bool]string{true: "already trained", false: "trained"}[done], c.Out)
	if c.Shard.Index == 0 && c.Classifier == "" {
		trainSet, testSet, err := dataset.LoadSplits(c.Data, dataset.Options{Downsample: !c.FullResolution})
		if err != nil {
			return "", fmt.Errorf("experiment: %w", err)
		}
		if _, err := benchClassifier(c, trainSet, testSet, true); err != nil {
			return "", err
		}
		line += ", the classifier in " + filepath.Join(c.Out, "classifier.safetensors")
	}
	return line + "\n", nil
}

// MergeImageBench writes into out what ImageBench writes for the whole
// benchmark from the directories of its cell shards (checked by
// shard.Collect: a missing, duplicated or mismatched shard is an error
// naming it): it copies each shard's cells (<sde>/bench-*.json, with the
// grids of the sampler columns and the loss curves that come with the
// bits/dim cells; a cell missing from its shard is an error naming both)
// and the classifier of shard 0 (unless the configuration names one), then
// computes the floor and writes results.md, as ImageBench does with every
// cell cached. It returns the table.
func MergeImageBench(out string, dirs []string) (string, error) {
	first, parts, partDirs, err := shard.Collect(dirs)
	if err != nil {
		return "", err
	}
	if first.Command != "imagebench" {
		return "", fmt.Errorf("experiment: %s holds a shard of %s, not of imagebench", partDirs[0], first.Command)
	}
	var c ImageBenchConfig
	if err := json.Unmarshal(first.Result, &c); err != nil {
		return "", fmt.Errorf("experiment: %s: configuration: %w", partDirs[0], err)
	}
	c.Out = out
	if c, err = c.withDefaults(); err != nil {
		return "", err
	}
	cells := BenchCells(c.SDEs, c.Samplers)
	if len(cells) != first.N {
		return "", fmt.Errorf("experiment: %s records %d cells, its configuration %d", partDirs[0], first.N, len(cells))
	}
	for i, part := range parts {
		for _, cell := range cells[part.Rows[0]:part.Rows[1]] {
			files := []string{cell.File()}
			if cell.BPD {
				files = append(files, filepath.Join(cell.SDE.String(), "loss.*"))
			} else {
				files = append(files, filepath.Join("grids", cell.SDE.String()+"-"+cell.Sampler.Name()+".png"))
			}
			for j, f := range files {
				if _, err := os.Stat(filepath.Join(partDirs[i], f)); err != nil && j == 0 {
					return "", fmt.Errorf("experiment: shard %s lacks its cell %s", partDirs[i], f)
				}
				if err := copyMatches(partDirs[i], out, f); err != nil {
					return "", err
				}
			}
		}
	}
	if c.Classifier == "" {
		if err := copyMatches(partDirs[0], out, "classifier.safetensors"); err != nil {
			return "", err
		}
	}
	return benchEvaluate(c, false)
}

// copyMatches copies the files of from that match pattern (relative to
// from) to the same paths under to, atomically.
func copyMatches(from, to, pattern string) error {
	paths, err := filepath.Glob(filepath.Join(from, pattern))
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		b, err := os.ReadFile(p)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(dst), 0o755)
		}
		if err == nil {
			err = atomicfile.Write(dst, b)
		}
		if err != nil {
			return fmt.Errorf("experiment: %w", err)
		}
	}
	return nil
}
