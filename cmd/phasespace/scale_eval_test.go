package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// wallTime matches the sampler's seconds in an eval report: a wall-clock
// time, the only field that differs between two runs (the merged report
// holds the shards' sum).
var wallTime = regexp.MustCompile(`"seconds": [0-9.e+-]+`)

// evalShards runs args with --out out --shard i/n for every i, merges them
// into merged and returns the merged eval.json with the wall time masked.
func evalShards(t *testing.T, args []string, out, merged string, n int) string {
	t.Helper()
	var dirs []string
	for i := range n {
		a := append(args, "--out", out, "--shard", fmt.Sprintf("%d/%d", i, n))
		if code, _, errs := runCLI(t, a...); code != 0 {
			t.Fatalf("%s: exit %d: %s", strings.Join(a, " "), code, errs)
		}
		dirs = append(dirs, filepath.Join(out, fmt.Sprintf("shard-%03d-of-%03d", i, n)))
	}
	if code, _, errs := runCLI(t, append([]string{"merge", "--out", merged}, dirs...)...); code != 0 {
		t.Fatalf("merge of %d shards: %s", n, errs)
	}
	b, err := os.ReadFile(filepath.Join(merged, "eval.json"))
	if err != nil {
		t.Fatal(err)
	}
	return wallTime.ReplaceAllString(string(b), `"seconds": 0`)
}

// singleEval runs args --json and returns the report with the wall time
// masked.
func singleEval(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := runCLI(t, append(args, "--json")...)
	if code != 0 {
		t.Fatalf("%s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return wallTime.ReplaceAllString(out, `"seconds": 0`)
}

// TestCheckpointEvalShardsMergeToSingleRun: the shards of `eval --ckpt` of
// a 2-D checkpoint (NLL and the sample metrics, the mode metrics included)
// merge, for every N from 1 to 7, into the report that the single run
// prints with --json, byte for byte except the sampler's wall time; with
// the ODE sampler too, whose shards lie on the grid of --batch.
func TestCheckpointEvalShardsMergeToSingleRun(t *testing.T) {
	root := t.TempDir()
	ckpt := filepath.Join(root, "ckpt")
	if code, _, errs := runCLI(t, "train", "--data", "8gaussians", "--steps", "3", "--batch", "16", "--hidden", "16", "--layers", "1", "--quiet", "--out", ckpt); code != 0 {
		t.Fatalf("train: %s", errs)
	}
	for _, c := range []struct {
		args   []string
		counts []int
	}{
		{[]string{"--metrics", "nll,ed,mmd,sw2,modes", "--sampler", "sscs", "--nfe", "8", "--n", "300", "--batch", "40", "--rtol", "1e-3", "--atol", "1e-3"}, []int{1, 2, 3, 4, 5, 6, 7}},
		{[]string{"--metrics", "ed,sw2", "--sampler", "ode", "--n", "200", "--batch", "50"}, []int{3}},
	} {
		args := append([]string{"eval", "--ckpt", ckpt, "--seed", "4"}, c.args...)
		want := singleEval(t, args...)
		for _, n := range c.counts {
			got := evalShards(t, args, filepath.Join(root, fmt.Sprint(c.args[3], n)), filepath.Join(root, fmt.Sprint("merged-", c.args[3], n)), n)
			if got != want {
				t.Fatalf("%v: %d shards merge into\n%s\nwant the single run's\n%s", c.args, n, got, want)
			}
		}
	}
}

// TestPointsShardsMergeToSingleRun: the shards of `eval --points F` (the
// exact score; deterministic VP and CLD's 8 replicas per point) merge into
// the single run's report and its --per-point file, byte for byte, with the
// column names of a file with a header row.
func TestPointsShardsMergeToSingleRun(t *testing.T) {
	root := t.TempDir()
	var b strings.Builder
	for i := range 37 {
		fmt.Fprintf(&b, "%g,%g\n", float64(i%7)/3-1, float64(i%5)/2-1)
	}
	plain, headed := filepath.Join(root, "points.csv"), filepath.Join(root, "headed.csv")
	if err := firstErr(os.WriteFile(plain, []byte(b.String()), 0o644), os.WriteFile(headed, []byte("east,north\n"+b.String()), 0o644)); err != nil {
		t.Fatal(err)
	}
	for _, sde := range []string{"vp", "cld", "headed"} {
		points := map[bool]string{false: plain, true: headed}[sde == "headed"]
		if sde == "headed" { // a header row: the merged per-point.csv keeps its names
			sde = "cld"
		}
		args := []string{"eval", "--exact", "diamond", "--sde", sde, "--points", points, "--batch", "16", "--rtol", "1e-3", "--atol", "1e-3"}
		for _, n := range []int{1, 2, 3, 7} {
			merged := filepath.Join(root, fmt.Sprint("merged-", sde, n, strings.TrimSuffix(filepath.Base(points), ".csv")))
			if err := os.MkdirAll(merged, 0o755); err != nil {
				t.Fatal(err)
			}
			perPoint := filepath.Join(merged, "per-point.csv")
			want := singleEval(t, append(args, "--per-point", perPoint)...)
			wantCSV, _ := os.ReadFile(perPoint)
			os.Remove(perPoint)
			got := evalShards(t, args, filepath.Join(root, fmt.Sprint(sde, n, strings.TrimSuffix(filepath.Base(points), ".csv"))), merged, n)
			gotCSV, _ := os.ReadFile(perPoint)
			if got != want || string(gotCSV) != string(wantCSV) || len(wantCSV) == 0 || (points == headed) != strings.HasPrefix(string(gotCSV), "east,north,") {
				t.Fatalf("%s, %d shards: merged report\n%s\nwant\n%s\n(per-point files equal: %v)", sde, n, got, want, string(gotCSV) == string(wantCSV))
			}
		}
	}
}

// TestImageEvalShardsMergeToSingleRun: the shards of `eval --ckpt` of an
// image checkpoint (FD, KID, precision/recall and class KL from the
// merged per-sample features; bits/dim from the merged per-image NLLs)
// merge into the single run's report, byte for byte except the sampler's
// wall time, for several N (one shard is then empty).
func TestImageEvalShardsMergeToSingleRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small U-Net and a classifier; skipped with -short")
	}
	data := writeSyntheticIDX(t, 12, 300, 100)
	root := t.TempDir()
	ckpt, clf := filepath.Join(root, "ckpt"), filepath.Join(root, "c.safetensors")
	if code, _, errs := runCLI(t, "train", "--data", data, "--downsample=false", "--sde", "cld", "--channels", "8,16", "--batch", "8", "--steps", "2", "--quiet", "--out", ckpt); code != 0 {
		t.Fatalf("train: %s", errs)
	}
	if code, _, errs := runCLI(t, "classifier", "--data", data, "--downsample=false", "--epochs", "1", "--floor-n", "100", "--out", clf); code != 0 {
		t.Fatalf("classifier: %s", errs)
	}
	args := []string{"eval", "--ckpt", ckpt, "--metrics", "fd,kid,pr,classes,bpd", "--classifier", clf, "--n", "30", "--sampler", "em", "--nfe", "3", "--batch", "8", "--rtol", "1e-2", "--atol", "1e-2"}
	want := singleEval(t, args...)
	for _, key := range []string{`"fd"`, `"kid"`, `"precision"`, `"class_kl"`, `"bpd"`, `"images": 30`} {
		if !strings.Contains(want, key) {
			t.Fatalf("the single run's report has no %s:\n%s", key, want)
		}
	}
	for _, n := range []int{1, 3, 5} {
		got := evalShards(t, args, filepath.Join(root, fmt.Sprint("run", n)), filepath.Join(root, fmt.Sprint("merged", n)), n)
		if got != want {
			t.Fatalf("%d shards merge into\n%s\nwant the single run's\n%s", n, got, want)
		}
	}
}
