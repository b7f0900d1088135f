package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// benchTimes matches the wall-clock columns of results.md (training
// minutes, sampling seconds) and the cells' seconds: the only values that
// differ between two runs of the benchmark.
var benchTimes = []*regexp.Regexp{
	regexp.MustCompile(`(?m)^(\| \w+ \| \d+ \| )[0-9.]+( \|)`),                      // SDE table: train min
	regexp.MustCompile(`(?m)^(\| \w+ \| [^|]+ \| \d+ \|(?: [^|]+ \|){6}) \d+( \|)`), // cell table: sampling s
	regexp.MustCompile(`("seconds": )[0-9.e+-]+()`),
}

func maskBenchTimes(s string) string {
	for _, re := range benchTimes {
		s = re.ReplaceAllString(s, "${1}T${2}")
	}
	return s
}

// benchOutputs returns the files of an imagebench directory that the
// merge reproduces, times masked: results.md, every cell's JSON and every
// grid.
func benchOutputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, pattern := range []string{"results.md", "*/bench-*.json", "grids/*.png"} {
		paths, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, p)
			out[rel] = maskBenchTimes(string(b))
		}
	}
	return out
}

// TestImageBenchShardsMergeToSingleRun: `imagebench --train-only --shard
// i/M` trains each SDE once into OUT; `imagebench --shard i/N` evaluates
// the cells (per SDE its bits/dim, then its sampler columns) of shard i
// from those models; `merge` writes the table, the cells' JSON and the
// grids of the single run (wall-clock times aside) for N = 1, 2, 3 and 7
// (more shards than the 5 cells: some are empty); a rerun of a finished
// shard does nothing; a cell shard before training, or of other training
// settings, is an error naming the SDE; a missing, duplicated or
// mismatched shard is an error naming it.
func TestImageBenchShardsMergeToSingleRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small U-Nets twice and evaluates the cells five times (~30 s); skipped with -short")
	}
	data := writeSyntheticIDX(t, 12, 600, 200)
	root := t.TempDir()
	clf := filepath.Join(root, "c.safetensors")
	if code, _, errs := runCLI(t, "classifier", "--data", data, "--downsample=false", "--epochs", "1", "--floor-n", "100", "--out", clf); code != 0 {
		t.Fatalf("classifier: %s", errs)
	}
	args := []string{"imagebench", "--data", data, "--downsample=false", "--sdes", "vp,cld", "--budget", "10m", "--steps", "3",
		"--channels", "8,16", "--batch", "16", "--samplers", "sscs:6,em:4", "--n", "12", "--bpd-n", "2", "--rtol", "1e-2", "--atol", "1e-2", "--classifier", clf}
	single := filepath.Join(root, "single")
	if code, _, errs := runCLI(t, append(args, "--out", single)...); code != 0 {
		t.Fatalf("single run: %s", errs)
	}
	want := benchOutputs(t, single)
	if len(want) != 10 { // results.md, 2 bpd + 3 cells, real + 3 grids
		t.Fatalf("the single run wrote %d outputs: %v", len(want), slices.Sorted(maps.Keys(want)))
	}
	out := filepath.Join(root, "run")
	// A cell shard before training names the SDE and the command to run.
	if code, _, errs := runCLI(t, append(args, "--out", out, "--shard", "0/2")...); code != 1 || !strings.Contains(errs, "SDE vp is not trained yet") || !strings.Contains(errs, "--train-only") {
		t.Errorf("a cell shard before training: exit %d, %s", code, errs)
	}
	if err := os.RemoveAll(filepath.Join(out, "shard-000-of-002")); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		code, stdout, errs := runCLI(t, append(args, "--out", out, "--train-only", "--shard", fmt.Sprintf("%d/2", i))...)
		if code != 0 || !strings.Contains(stdout, fmt.Sprintf("shard %d/2: SDEs [%s] trained", i, []string{"vp", "cld"}[i])) {
			t.Fatalf("train shard %d/2: exit %d: %s%s", i, code, stdout, errs)
		}
	}
	marker := filepath.Join(out, "cld", "trained.json")
	before, _ := os.Stat(marker)
	code, stdout, errs := runCLI(t, append(args, "--out", out, "--train-only", "--shard", "1/2")...)
	if after, _ := os.Stat(marker); code != 0 || !strings.Contains(stdout, "SDEs [cld] already trained") || before == nil || !after.ModTime().Equal(before.ModTime()) {
		t.Errorf("rerun of a train shard: exit %d, %s%s (trained.json rewritten?)", code, stdout, errs)
	}
	var dirs3 []string
	for _, n := range []int{1, 2, 3, 7} {
		var dirs []string
		for i := range n {
			code, stdout, errs := runCLI(t, append(args, "--out", out, "--shard", fmt.Sprintf("%d/%d", i, n))...)
			if code != 0 || !strings.Contains(stdout, fmt.Sprintf("shard %d/%d: cells", i, n)) {
				t.Fatalf("shard %d/%d: exit %d: %s%s", i, n, code, stdout, errs)
			}
			dirs = append(dirs, filepath.Join(out, fmt.Sprintf("shard-%03d-of-%03d", i, n)))
		}
		merged := filepath.Join(root, fmt.Sprint("merged", n))
		if code, stdout, errs := runCLI(t, append([]string{"merge", "--out", merged}, dirs...)...); code != 0 || !strings.Contains(stdout, "results.md") {
			t.Fatalf("merge of %d shards: exit %d: %s%s", n, code, stdout, errs)
		}
		got := benchOutputs(t, merged)
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%d shards: %s differs from the single run's (%d vs %d bytes):\n%.2000s\nwant\n%.2000s", n, name, len(got[name]), len(w), got[name], w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d shards: merged %d outputs, the single run %d", n, len(got), len(want))
		}
		if n == 3 {
			dirs3 = dirs
		}
	}
	// A rerun of a finished shard does nothing.
	cell := filepath.Join(dirs3[2], "cld", "bench-em-4.json") // 3 shards of 5 cells: [0,1) [1,3) [3,5) = cld sscs-6, em-4
	if err := os.WriteFile(cell, []byte(`{"sde": "marker"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errs = runCLI(t, append(args, "--out", out, "--shard", "2/3")...)
	if b, _ := os.ReadFile(cell); code != 0 || !strings.Contains(stdout, "already done") || !bytes.Equal(b, []byte(`{"sde": "marker"}`)) {
		t.Fatalf("rerun of a finished shard: exit %d, %s%s; cell %s", code, stdout, errs, b)
	}
	// Another seed in the same directory is refused, and so is a cell shard
	// of other training settings; merge errors name the shard.
	if code, _, errs := runCLI(t, append(args, "--out", out, "--shard", "2/3", "--seed", "9")...); code != 1 || !strings.Contains(errs, "another run") {
		t.Errorf("a shard of another seed into a finished shard's directory: exit %d, %s", code, errs)
	}
	if code, _, errs := runCLI(t, append(args, "--out", out, "--shard", "0/4", "--steps", "4")...); code != 1 || !strings.Contains(errs, "SDE vp was trained with other settings (steps: 3 there, 4 here") {
		t.Errorf("a cell shard of other training settings: exit %d, %s", code, errs)
	}
	other := filepath.Join(root, "other")
	for _, k := range []string{"vp", "cld"} {
		if err := os.CopyFS(filepath.Join(other, k), os.DirFS(filepath.Join(out, k))); err != nil {
			t.Fatal(err)
		}
	}
	if code, _, errs := runCLI(t, append(args, "--out", other, "--shard", "2/3", "--n", "10")...); code != 0 {
		t.Fatalf("other shard: %s", errs)
	}
	otherDir := filepath.Join(other, "shard-002-of-003")
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{dirs3[0], dirs3[2]}, "shard 1/3 is missing"},
		{[]string{dirs3[0], dirs3[1], dirs3[1], dirs3[2]}, "shard 1/3 is given twice"},
		{[]string{dirs3[0], dirs3[1], otherDir}, otherDir + " is a shard of another run"},
	} {
		if code, _, errs := runCLI(t, append([]string{"merge", "--out", filepath.Join(root, "bad")}, c.dirs...)...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("merge %v: exit %d, %q; want an error naming %q", c.dirs, code, errs, c.want)
		}
	}
	if err := os.Remove(filepath.Join(dirs3[0], "vp", "bench-bpd.json")); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, append([]string{"merge", "--out", filepath.Join(root, "bad")}, dirs3...)...); code != 1 || !strings.Contains(errs, dirs3[0]+" lacks its cell "+filepath.Join("vp", "bench-bpd.json")) {
		t.Errorf("merge of a shard that lost a cell: exit %d, %s", code, errs)
	}
	// Without --classifier a cell shard needs OUT's, which the train shard 0 writes.
	noClf := slices.Clone(args[:len(args)-2])
	if code, _, errs := runCLI(t, append(noClf, "--out", other, "--shard", "0/3")...); code != 1 || !strings.Contains(errs, "no classifier "+filepath.Join(other, "classifier.safetensors")) || !strings.Contains(errs, "--train-only shard 0/N") {
		t.Errorf("a cell shard without a classifier: exit %d, %s", code, errs)
	}
}
