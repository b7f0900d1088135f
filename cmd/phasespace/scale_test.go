package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestShardedSampleMergesToSingleRun: for every N from 1 to 7, the N shards
// of `sample --n 1000` (SSCS at any batch; the ODE at a fixed --batch, its
// shards aligned to it) merge into the bytes of the single run, and the
// shard found in SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX is the one
// --shard names.
func TestShardedSampleMergesToSingleRun(t *testing.T) {
	for _, sampler := range [][]string{{"--sampler", "sscs", "--nfe", "12"}, {"--sampler", "ode", "--rtol", "1e-3", "--atol", "1e-3", "--batch", "150"}} {
		root := t.TempDir()
		args := append([]string{"sample", "--exact", "8gaussians", "--n", "1000", "--seed", "3"}, sampler...)
		single := filepath.Join(root, "single.csv")
		if code, _, errs := runCLI(t, append(args, "--out", single)...); code != 0 {
			t.Fatalf("single run: %s", errs)
		}
		want, _ := os.ReadFile(single)
		for n := 1; n <= 7; n++ {
			out := filepath.Join(root, fmt.Sprint("run", n))
			var dirs []string
			for i := range n {
				a := append(args, "--out", out, "--shard", fmt.Sprintf("%d/%d", i, n))
				if i == 1 { // the same shard from the engines' variables
					a = append(args, "--out", out)
					t.Setenv("SLURM_ARRAY_TASK_ID", "1")
					t.Setenv("SLURM_ARRAY_TASK_COUNT", fmt.Sprint(n))
				}
				code, stdout, errs := runCLI(t, a...)
				os.Unsetenv("SLURM_ARRAY_TASK_ID")
				if code != 0 || (i == 1 && !strings.Contains(stdout, "(SLURM_ARRAY_TASK_ID)")) {
					t.Fatalf("%s: exit %d: %s%s", strings.Join(a, " "), code, stdout, errs)
				}
				dirs = append(dirs, filepath.Join(out, fmt.Sprintf("shard-%03d-of-%03d", i, n)))
			}
			merged := filepath.Join(root, fmt.Sprint("merged", n))
			if code, _, errs := runCLI(t, append([]string{"merge", "--out", merged}, dirs...)...); code != 0 {
				t.Fatalf("merge of %d shards: %s", n, errs)
			}
			if got, _ := os.ReadFile(filepath.Join(merged, "samples.csv")); !bytes.Equal(got, want) {
				t.Fatalf("%s: %d shards merge into %d bytes that differ from the single run's %d", sampler[1], n, len(got), len(want))
			}
		}
		t.Setenv("JOB_COMPLETION_INDEX", "2")
		code, stdout, _ := runCLI(t, append(args, "--out", filepath.Join(root, "run3"), "--shards", "3")...)
		os.Unsetenv("JOB_COMPLETION_INDEX")
		if code != 0 || !strings.Contains(stdout, "shard 2/3 (JOB_COMPLETION_INDEX)") || !strings.Contains(stdout, "already done") {
			t.Errorf("JOB_COMPLETION_INDEX 2 with --shards 3: exit %d, %q; want shard 2/3 found done", code, stdout)
		}
	}
}

// TestShardRerunAndMergeErrors: rerunning a finished shard leaves its files
// alone; a shard of another seed, a missing and a duplicated shard make
// merge fail (exit 2) naming the directory; --shards without an engine index and a
// PNG output of a shard are usage errors.
func TestShardRerunAndMergeErrors(t *testing.T) {
	root := t.TempDir()
	args := []string{"sample", "--exact", "diamond", "--n", "100", "--nfe", "6"}
	shardOf := func(out string, i int, extra ...string) string {
		t.Helper()
		if code, _, errs := runCLI(t, append(append(args, "--out", out, "--shard", fmt.Sprintf("%d/3", i)), extra...)...); code != 0 {
			t.Fatalf("shard %d: %s", i, errs)
		}
		return filepath.Join(out, fmt.Sprintf("shard-%03d-of-003", i))
	}
	a := []string{shardOf(filepath.Join(root, "a"), 0), shardOf(filepath.Join(root, "a"), 1), shardOf(filepath.Join(root, "a"), 2)}
	csv := filepath.Join(a[1], "samples.csv")
	if err := os.WriteFile(csv, []byte("marker\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	shardOf(filepath.Join(root, "a"), 1)
	if b, _ := os.ReadFile(csv); string(b) != "marker\n" {
		t.Errorf("rerunning a finished shard rewrote its samples")
	}
	other := shardOf(filepath.Join(root, "b"), 2, "--seed", "5")
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{a[0], a[1], other}, other + " is a shard of another run"},
		{[]string{a[0], a[2]}, "shard 1/3 is missing"},
		{[]string{a[0], a[1], a[1], a[2]}, "shard 1/3 is given twice"},
	} {
		code, _, errs := runCLI(t, append([]string{"merge", "--out", filepath.Join(root, "m")}, c.dirs...)...)
		if code != 2 || !strings.Contains(errs, c.want) { // bad arguments: a usage error
			t.Errorf("merge %v: exit %d, %q; want exit 2 naming %q", c.dirs, code, errs, c.want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{append(args, "--out", filepath.Join(root, "c"), "--shards", "3"), "without a shard index"},
		{append(args, "--out", filepath.Join(root, "c.png"), "--shard", "0/2"), "--out"},
		{[]string{"merge", "--out", filepath.Join(root, "m")}, "usage: phasespace merge"},
	} {
		if code, _, errs := runCLI(t, c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want a usage error naming %q", c.args, code, errs, c.want)
		}
	}
}

// TestSampleBatchSizesSameBytes: `sample --batch B` writes the same CSV
// bytes for every B with EM, SSCS and gDDIM (the default batch included).
func TestSampleBatchSizesSameBytes(t *testing.T) {
	dir := t.TempDir()
	for _, s := range []string{"em", "sscs", "gddim"} {
		var want []byte
		for _, b := range []string{"0", "1", "7", "333"} {
			csv := filepath.Join(dir, s+b+".csv")
			a := []string{"sample", "--exact", "8gaussians", "--sde", "psld", "--sampler", s, "--nfe", "10", "--n", "500", "--out", csv}
			if b != "0" {
				a = append(a, "--batch", b)
			}
			if code, _, errs := runCLI(t, a...); code != 0 {
				t.Fatalf("%v: %s", a, errs)
			}
			got, _ := os.ReadFile(csv)
			if want == nil {
				want = got
			} else if !bytes.Equal(got, want) {
				t.Fatalf("%s: --batch %s writes other bytes than the default batch", s, b)
			}
		}
	}
}

// TestShardedNLLMergesToSingleRun: the shards of `eval --exact --metrics
// nll` (points on the grid of --batch) merge into eval.json with the bytes
// that the single run prints with --json, for several shard counts.
func TestShardedNLLMergesToSingleRun(t *testing.T) {
	root := t.TempDir()
	args := []string{"eval", "--exact", "diamond", "--metrics", "nll", "--n", "1000", "--batch", "100", "--rtol", "1e-3", "--atol", "1e-3"}
	code, want, errs := runCLI(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("single run: %s", errs)
	}
	counts := []int{1, 3, 7}
	if testing.Short() {
		counts = []int{3}
	}
	for _, n := range counts {
		out := filepath.Join(root, fmt.Sprint("run", n))
		var dirs []string
		for i := range n {
			if code, _, errs := runCLI(t, append(args, "--out", out, "--shard", fmt.Sprintf("%d/%d", i, n))...); code != 0 {
				t.Fatalf("shard %d/%d: %s", i, n, errs)
			}
			dirs = append(dirs, filepath.Join(out, fmt.Sprintf("shard-%03d-of-%03d", i, n)))
		}
		merged := filepath.Join(root, fmt.Sprint("merged", n))
		if code, _, errs := runCLI(t, append([]string{"merge", "--out", merged}, dirs...)...); code != 0 {
			t.Fatalf("merge: %s", errs)
		}
		if got, _ := os.ReadFile(filepath.Join(merged, "eval.json")); string(got) != want {
			t.Fatalf("%d shards: merged report\n%s\nwant the single run's\n%s", n, got, want)
		}
	}
}

// TestResultsShardsShareTheGrid: each shard of `results` trains only its
// cells (in table order) into the shared --out, and a run without a shard
// afterwards trains nothing and writes the table of all cells.
func TestResultsShardsShareTheGrid(t *testing.T) {
	out := t.TempDir()
	args := []string{"results", "--data", "diamond", "--runs", "cld/dsm,vp/dsm", "--steps", "20", "--n", "40", "--nfe", "10", "--out", out}
	for i, cell := range []string{"diamond-cld-dsm", "diamond-vp-dsm"} {
		code, stdout, errs := runCLI(t, append(args, "--shard", fmt.Sprintf("%d/2", i))...)
		if code != 0 || !strings.Contains(stdout, fmt.Sprintf("shard %d/2 from flag", i)) {
			t.Fatalf("shard %d: exit %d: %s%s", i, code, stdout, errs)
		}
		if _, err := os.Stat(filepath.Join(out, cell, "row.md")); err != nil {
			t.Fatalf("shard %d did not finish its cell %s: %v", i, cell, err)
		}
		if other := []string{"diamond-vp-dsm", "diamond-cld-dsm"}[i]; i == 0 {
			if _, err := os.Stat(filepath.Join(out, other)); err == nil {
				t.Fatalf("shard 0/2 touched shard 1/2's cell %s", other)
			}
		}
	}
	before, _ := os.ReadFile(filepath.Join(out, "diamond-vp-dsm", "row.md"))
	code, stdout, errs := runCLI(t, args...)
	after, _ := os.ReadFile(filepath.Join(out, "diamond-vp-dsm", "row.md"))
	table, _ := os.ReadFile(filepath.Join(out, "results.md"))
	if code != 0 || !bytes.Equal(before, after) || !strings.Contains(string(table), "| diamond | cld | dsm |") || !strings.Contains(string(table), "| diamond | vp | dsm |") {
		t.Fatalf("the run after the shards: exit %d (%s%s); table:\n%s", code, stdout, errs, table)
	}
}
