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

// TestImageBenchShardsMergeToSingleRun: `imagebench --shard i/N` trains
// and evaluates each SDE in one shard; `merge` writes the table, the cells'
// JSON and the grids of the single run (wall-clock times aside) for N = 2
// and N = 3 (an empty shard); a rerun of a finished shard does nothing; a
// missing, duplicated or mismatched shard is an error naming it.
func TestImageBenchShardsMergeToSingleRun(t *testing.T) {
	if testing.Short() {
		t.Skip("trains small U-Nets several times (~40 s); skipped with -short")
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
	var dirs3 []string
	for _, n := range []int{2, 3} {
		out := filepath.Join(root, fmt.Sprint("run", n))
		var dirs []string
		for i := range n {
			code, stdout, errs := runCLI(t, append(args, "--out", out, "--shard", fmt.Sprintf("%d/%d", i, n))...)
			if code != 0 || !strings.Contains(stdout, fmt.Sprintf("shard %d/%d", i, n)) {
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
		dirs3 = dirs
	}
	// A rerun of a finished shard does nothing.
	cell := filepath.Join(dirs3[2], "cld", "bench-em-4.json") // shard 0/3 is empty, 1/3 holds vp, 2/3 cld
	if err := os.WriteFile(cell, []byte(`{"sde": "marker"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, errs := runCLI(t, append(args, "--out", filepath.Join(root, "run3"), "--shard", "2/3")...)
	if b, _ := os.ReadFile(cell); code != 0 || !strings.Contains(stdout, "already done") || !bytes.Equal(b, []byte(`{"sde": "marker"}`)) {
		t.Fatalf("rerun of a finished shard: exit %d, %s%s; cell %s", code, stdout, errs, b)
	}
	// Another seed in the same directory is refused; merge errors name the shard.
	if code, _, errs := runCLI(t, append(args, "--out", filepath.Join(root, "run3"), "--shard", "2/3", "--seed", "9")...); code != 1 || !strings.Contains(errs, "another run") {
		t.Errorf("a shard of another seed into a finished shard's directory: exit %d, %s", code, errs)
	}
	other := filepath.Join(root, "other")
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
		if code, _, errs := runCLI(t, append([]string{"merge", "--out", filepath.Join(root, "bad")}, c.dirs...)...); code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("merge %v: exit %d, %q; want an error naming %q", c.dirs, code, errs, c.want)
		}
	}
}
