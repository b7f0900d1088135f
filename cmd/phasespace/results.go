package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"phasespace/internal/atomicfile"
	"phasespace/sde"
)

func init() {
	register("results", "train and evaluate a grid of data × SDE × objective at a fixed budget; writes a Markdown table", runResults)
}

// runResults trains one model per (data set, SDE, objective) with the same
// step budget, evaluates NLL (exact divergence), MMD² and ED with the
// recommended sampler, and writes results.md (appending rows as they finish,
// so an interrupted grid keeps what it measured; finished cells are reused
// on a rerun).
func runResults(args []string, stdout io.Writer) error {
	fs := newFlagSet("results")
	datasets := fs.String("data", "checkerboard,8gaussians,diamond,swissroll,moons,multimodal_swissroll", "comma-separated toy data sets")
	combos := fs.String("runs", "vp/dsm,cld/hsm,cld/dsm,psld/hsm,psld/dsm", "comma-separated sde/objective pairs (psld uses Γ = 0.01)")
	steps := fs.Int64("steps", 5000, "training steps per run")
	lr := fs.Float64("lr", 3e-3, "learning rate")
	n := fs.Int("n", 2000, "evaluation points and samples")
	nfe := fs.Int("nfe", 200, "SSCS/EM NFE for the sample metrics (VP uses the ODE sampler)")
	out := fs.String("out", "results", "directory for runs and results.md")
	seed := fs.Uint64("seed", 0, "seed")
	rtol := fs.Float64("rtol", 1e-5, "nll: probability-flow ODE relative tolerance, in (0, 1)")
	atol := fs.Float64("atol", 1e-5, "nll: probability-flow ODE absolute tolerance, in (0, 1)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkTolerances(*rtol, *atol); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	table := filepath.Join(*out, "results.md")
	var cells []string // this grid's run directories, in table order
	for _, data := range strings.Split(*datasets, ",") {
		for _, combo := range strings.Split(*combos, ",") {
			parts := strings.Split(combo, "/")
			if len(parts) != 2 {
				return usagef("--runs: %q is not sde/objective", combo)
			}
			cells = append(cells, filepath.Join(*out, data+"-"+parts[0]+"-"+parts[1]))
		}
	}
	// The table is rebuilt from the cells' row.md files (this grid's first,
	// in grid order, then rows of earlier grids in the same directory), so an
	// interrupted or repeated grid never duplicates or loses a row.
	rebuild := func() error {
		var b strings.Builder
		b.WriteString("| data | SDE | objective | steps | NLL (nats) | true NLL, same points | H(p) | MMD² (floor) | ED (floor) | train min |\n|---|---|---|---|---|---|---|---|---|---|\n")
		seen := map[string]bool{}
		others, _ := filepath.Glob(filepath.Join(*out, "*", "row.md"))
		for i := range others {
			others[i] = filepath.Dir(others[i])
		}
		for _, dir := range append(append([]string{}, cells...), others...) {
			if seen[dir] {
				continue
			}
			seen[dir] = true
			if raw, err := os.ReadFile(filepath.Join(dir, "row.md")); err == nil {
				b.Write(raw)
			}
		}
		return atomicfile.Write(table, []byte(b.String()))
	}
	if err := rebuild(); err != nil {
		return err
	}
	for _, data := range strings.Split(*datasets, ",") {
		for _, combo := range strings.Split(*combos, ",") {
			parts := strings.Split(combo, "/")
			if len(parts) != 2 {
				return usagef("--runs: %q is not sde/objective", combo)
			}
			dir := filepath.Join(*out, data+"-"+parts[0]+"-"+parts[1])
			if _, err := os.Stat(filepath.Join(dir, "row.md")); err == nil {
				continue // finished earlier
			}
			tfs := flag.NewFlagSet("run", flag.ContinueOnError)
			tf := addTrainFlags(tfs, *steps)
			targs := []string{"--data", data, "--sde", parts[0], "--objective", parts[1], "--steps", fmt.Sprint(*steps),
				"--lr", fmt.Sprint(*lr), "--warmup", "200", "--seed", fmt.Sprint(*seed), "--out", dir, "--resume", "--quiet"}
			if parts[0] == "psld" {
				targs = append(targs, "--Gamma", "0.01", "--nu", "4.01")
			}
			if err := tfs.Parse(targs); err != nil {
				return usageError{err}
			}
			cfg, _, err := tf.setup(os.Stderr)
			if err != nil {
				return fmt.Errorf("%s: %w", dir, err)
			}
			t0 := time.Now()
			st, err := tf.execute(cfg, io.Discard, os.Stderr)
			if err != nil {
				return fmt.Errorf("%s: %w", dir, err)
			}
			if st.Step < *steps { // stopped by a signal: never evaluate a half-trained cell
				return fmt.Errorf("%s: training stopped at step %d of %d; rerun the same command to continue", dir, st.Step, *steps)
			}
			minutes := time.Since(t0).Minutes()
			lm, err := loadCheckpoint(dir)
			if err != nil {
				return err
			}
			res := map[string]any{}
			ef := &evalFlags{n: *n, seed: *seed + 7, iw: 1, probes: 1, divergence: "exact", probe: "rademacher", rtol: *rtol, atol: *atol, eps: 1e-5}
			if err := ef.nllOf(lm.Obj.Process, lm.Score, data, res); err != nil {
				return err
			}
			method := "sscs"
			if lm.Obj.Process.Kind == sde.VP {
				method = "ode"
			}
			x, _, err := sampleCheckpoint(lm, method, *nfe, *n, *seed+8)
			if err != nil {
				return err
			}
			if err := sampleMetrics(x, data, *n, *seed+9, map[string]bool{"ed": true, "mmd": true}, res); err != nil {
				return err
			}
			nll := res["nll"].(map[string]any)
			floor := res["floor"].(map[string]any)
			trueNLL, h := "–", "–"
			if v, ok := nll["true_nll_same_points"]; ok {
				trueNLL = fmt.Sprintf("%.3f", v)
			}
			if v, ok := nll["true_entropy"]; ok {
				h = fmt.Sprintf("%.4f", v)
			}
			row := fmt.Sprintf("| %s | %s | %s | %d | %.3f ± %.3f | %s | %s | %.4f (%.4f) | %.4f (%.4f) | %.1f |\n",
				data, parts[0], parts[1], *steps, nll["nll"], nll["se"], trueNLL, h, res["mmd2"], floor["mmd2"], res["ed"], floor["ed"], minutes)
			if err := atomicfile.Write(filepath.Join(dir, "row.md"), []byte(row)); err != nil {
				return err
			}
			if err := rebuild(); err != nil {
				return err
			}
			fmt.Fprint(stdout, row)
		}
	}
	fmt.Fprintf(stdout, "table: %s\n", table)
	return nil
}
