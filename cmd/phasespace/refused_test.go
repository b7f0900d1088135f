package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusedShardWritesNothing: a shard spec that does not resolve (from
// --shard, --shards or the engines' variables) and a sharded --out that names
// a file are usage errors (exit 2) that start with where the spec came from, print
// nothing on stdout and leave no shard directory behind.
func TestRefusedShardWritesNothing(t *testing.T) {
	root := t.TempDir()
	for _, c := range []struct {
		env       map[string]string
		args      []string
		out, want string
	}{
		{nil, []string{"--shard", "3/3"}, "r", "--shard 3/3: shard 3 of 3: want"},
		{nil, []string{"--shard", "1-3"}, "r", `--shard "1-3": want i/N`},
		{nil, []string{"--shard", "0/0"}, "r", "--shard 0/0: shard 0 of 0"},
		{nil, []string{"--shards", "3"}, "r", "--shards 3 without a shard index"},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, nil, "r", "SLURM_ARRAY_TASK_ID is set"},
		{map[string]string{"JOB_COMPLETION_INDEX": "1"}, nil, "r", "JOB_COMPLETION_INDEX is set: give the number of shards"},
		{nil, []string{"--shard", "0/2"}, "x.csv", "--out"},
	} {
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		out := filepath.Join(root, c.out)
		args := append([]string{"sample", "--exact", "8gaussians", "--n", "10", "--nfe", "4", "--out", out}, c.args...)
		code, stdout, errs := runCLI(t, args...)
		for k := range c.env {
			os.Unsetenv(k)
		}
		if code != 2 || stdout != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%v %v: exit %d, stdout %q, stderr %q; want exit 2, no stdout, an error naming %s", c.env, c.args, code, stdout, errs, c.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v %v: refused, yet %s was written", c.env, c.args, out)
			os.RemoveAll(out)
		}
	}
	// The same rule on eval's shards; a dotted directory name is a directory.
	if code, _, errs := runCLI(t, "eval", "--exact", "8gaussians", "--metrics", "nll", "--n", "10", "--rtol", "1e-2", "--atol", "1e-2", "--out", filepath.Join(root, "e.csv"), "--shard", "0/2"); code != 2 || !strings.Contains(errs, "--out: "+filepath.Join(root, "e.csv")+" names a .csv file") {
		t.Errorf("eval --out e.csv --shard 0/2: exit %d, %q; want exit 2 naming --out", code, errs)
	}
	if code, _, errs := runCLI(t, "sample", "--exact", "8gaussians", "--n", "10", "--nfe", "4", "--out", filepath.Join(root, "run.v2"), "--shard", "0/2"); code != 0 {
		t.Errorf("sample --out run.v2 --shard 0/2: exit %d, %s; want the shard written", code, errs)
	}
}

// TestResultsCellSettingsAndBatch: a results cell records its settings, so
// a rerun into the same --out with other settings is refused (exit 2,
// naming the flag and the cell, the table untouched) while a cell without
// the record is reused as before; --batch lets a point file of fewer rows
// than the default batch be used, and the error without it names --batch.
func TestResultsCellSettingsAndBatch(t *testing.T) {
	out := t.TempDir()
	args := []string{"results", "--data", "diamond", "--runs", "vp/dsm", "--n", "40", "--nfe", "10", "--out", out}
	if code, _, errs := runCLI(t, append(args, "--steps", "20")...); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	cell := filepath.Join(out, "diamond-vp-dsm")
	table, _ := os.ReadFile(filepath.Join(out, "results.md"))
	code, _, errs := runCLI(t, append(args, "--steps", "30")...)
	if code != 2 || !strings.Contains(errs, "--steps = 30") || !strings.Contains(errs, cell+" was made with 20") || !strings.Contains(errs, "new --out") {
		t.Errorf("rerun with --steps 30: exit %d, %q; want exit 2 naming --steps, the cell and its 20 steps", code, errs)
	}
	if now, _ := os.ReadFile(filepath.Join(out, "results.md")); string(now) != string(table) {
		t.Errorf("a refused rerun changed results.md:\n%s", now)
	}
	if err := os.Remove(filepath.Join(cell, "settings.json")); err != nil {
		t.Fatal(err)
	}
	if code, stdout, errs := runCLI(t, append(args, "--steps", "30")...); code != 0 || strings.Contains(stdout, "| 30 |") {
		t.Errorf("a cell without settings.json: exit %d, %q %s; want it reused as before", code, stdout, errs)
	}

	var b strings.Builder
	for i := range 300 {
		fmt.Fprintf(&b, "%g,%g\n", float64(i%17)/8-1, float64(i%13)/6-1)
	}
	points := filepath.Join(t.TempDir(), "small.csv")
	if err := os.WriteFile(points, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args = []string{"results", "--data", points, "--runs", "vp/dsm", "--steps", "5", "--n", "20", "--nfe", "10", "--out", t.TempDir()}
	if code, _, errs := runCLI(t, args...); code != 2 || !strings.Contains(errs, "--batch") {
		t.Errorf("300 rows at the default batch: exit %d, %q; want exit 2 naming --batch", code, errs)
	}
	if code, _, errs := runCLI(t, append(args, "--batch", "-1")...); code != 2 || !strings.Contains(errs, "--batch = -1: want 1..1000000") {
		t.Errorf("--batch -1: exit %d, %q; want exit 2 naming --batch and its range", code, errs)
	}
	if code, stdout, errs := runCLI(t, append(args, "--batch", "64")...); code != 0 || !strings.Contains(stdout, "small.csv | vp | dsm | 5 |") {
		t.Errorf("--batch 64: exit %d, %q %s; want the cell's row", code, stdout, errs)
	}
}

// TestBatchAndModelFieldErrorsNameTheFlag: sample --batch -1 is a usage
// error with --batch's range (it was the sampler's runtime error), and the
// model.Config field errors of train name the flag, not the Go field.
func TestBatchAndModelFieldErrorsNameTheFlag(t *testing.T) {
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"sample", "--exact", "diamond", "--n", "10", "--batch", "-1", "--out", filepath.Join(out, "s.csv")}, "--batch = -1: want 0..1000000"},
		{[]string{"train", "--data", "diamond", "--steps", "2", "--batch", "-1", "--out", filepath.Join(out, "a")}, "--batch = -1: want >= 1 (default 512)"},
		{[]string{"train", "--data", "diamond", "--steps", "2", "--ema", "1.5", "--out", filepath.Join(out, "b")}, "--ema = 1.5: want 0 < decay < 1"},
		{[]string{"train", "--data", "diamond", "--steps", "2", "--ckpt-every", "-3", "--out", filepath.Join(out, "c")}, "--ckpt-every = -3: want >= 0"},
	} {
		if code, _, errs := runCLI(t, c.args...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want exit 2 and %q", c.args, code, errs, c.want)
		}
	}
}

// TestDataErrorsNameTheFlag: a --data that is no data set lists every kind
// of data; a folder of mixed sizes names --image-size; a point file too
// small for its split or one batch names --val-frac and --batch; a data
// export into an existing folder names --out.
func TestDataErrorsNameTheFlag(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var rows strings.Builder
	for i := range 40 {
		fmt.Fprintf(&rows, "%d,%d\n", i, i%3)
	}
	mixed := filepath.Join(dir, "mixed")
	os.Mkdir(mixed, 0o755)
	for i, side := range []int{6, 8} {
		var b bytes.Buffer
		png.Encode(&b, image.NewGray(image.Rect(0, 0, side, side)))
		write(filepath.Join("mixed", fmt.Sprint(i, ".png")), b.String())
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"train", "--data", write("ring3d.txt", "1,2,3\n")}, []string{"--data", "toy sets", "point files (.csv, .npy)", "mnist", "folder of PNG/JPEG images"}},
		{[]string{"train", "--data", mixed}, []string{"must share one size", "--image-size"}},
		{[]string{"train", "--data", write("three.csv", "1,2\n3,4\n5,6\n")}, []string{"three.csv", "--val-frac"}},
		{[]string{"train", "--data", write("forty.csv", rows.String())}, []string{"forty.csv", "fewer than one batch", "--batch", "--val-frac"}},
		{[]string{"data", "--name", mixed, "--image-size", "4", "--out", dir}, []string{"--out", "already exists: give a new folder"}},
	} {
		args := append(c.args, "--steps", "1", "--out", filepath.Join(dir, "run"))
		if c.args[0] == "data" {
			args = c.args
		}
		code, _, errs := runCLI(t, args...)
		for _, w := range c.want {
			if code == 0 || !strings.Contains(errs, w) {
				t.Errorf("%v: exit %d, %q; want an error saying %q", c.args, code, errs, w)
			}
		}
	}
}

// TestMergeArgumentErrors: a missing, a duplicated shard and a directory
// that is no shard are usage errors (exit 2) saying what was wrong; a
// merge run from another directory than the shards' eval says that the
// point file's path came from the manifests and is read relative to the
// working directory.
func TestMergeArgumentErrors(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	if err := os.WriteFile("pts.csv", []byte("0,0\n1,-0.5\n0.5,0.25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if code, _, errs := runCLI(t, "eval", "--exact", "diamond", "--sde", "vp", "--points", "pts.csv", "--rtol", "1e-3", "--atol", "1e-3", "--out", "sh", "--shard", fmt.Sprintf("%d/2", i)); code != 0 {
			t.Fatalf("shard %d: exit %d: %s", i, code, errs)
		}
	}
	s0, s1 := filepath.Join(root, "sh", "shard-000-of-002"), filepath.Join(root, "sh", "shard-001-of-002")
	for _, c := range []struct {
		dirs []string
		want string
	}{
		{[]string{s0}, "shard 1/2 is missing"},
		{[]string{s0, s0, s1}, "is given twice"},
		{[]string{filepath.Join(root, "sh")}, "is not a shard directory: give the shard-III-of-NNN directories, each with a manifest.json"},
	} {
		if code, _, errs := runCLI(t, append([]string{"merge", "--out", filepath.Join(root, "m")}, c.dirs...)...); code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("merge %v: exit %d, %q; want exit 2 and %q", c.dirs, code, errs, c.want)
		}
	}
	other := t.TempDir()
	t.Chdir(other)
	code, _, errs := runCLI(t, "merge", "--out", "m", s0, s1)
	if code != 1 || !strings.Contains(errs, "pts.csv comes from the shards' manifests") || !strings.Contains(errs, "relative to merge's working directory") {
		t.Errorf("merge from another directory: exit %d, %q; want exit 1 saying where the path came from", code, errs)
	}
	if _, err := os.Stat("m"); !os.IsNotExist(err) { // the failed merge leaves nothing behind
		t.Errorf("the failed merge left m behind (%v)", err)
	}
	t.Chdir(root)
	if code, _, errs := runCLI(t, "merge", "--out", "m", s0, s1); code != 0 {
		t.Errorf("merge where the shards ran: exit %d, %s", code, errs)
	}
	// Two runs never mix in one directory: a second merge into m is refused
	// and leaves m's files as they were.
	before, _ := os.ReadFile(filepath.Join("m", "eval.json"))
	if code, _, errs := runCLI(t, "merge", "--out", "m", s0, s1); code != 2 || !strings.Contains(errs, "--out m already holds files") {
		t.Errorf("merge into a directory with files: exit %d, %q; want exit 2 naming --out", code, errs)
	}
	if after, _ := os.ReadFile(filepath.Join("m", "eval.json")); len(before) == 0 || string(after) != string(before) {
		t.Errorf("the refused merge changed m/eval.json")
	}
	// An empty directory is accepted, and a failed merge empties it again.
	if err := os.Mkdir("e", 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(other)
	if code, _, _ := runCLI(t, "merge", "--out", filepath.Join(root, "e"), s0, s1); code != 1 {
		t.Errorf("merge into an empty directory from elsewhere: exit %d, want 1", code)
	}
	if ents, err := os.ReadDir(filepath.Join(root, "e")); err != nil || len(ents) != 0 {
		t.Errorf("the failed merge left %v in the empty --out (%v)", ents, err)
	}
	// A point file changed after the shards read it is refused by its SHA-256.
	t.Chdir(root)
	if err := os.WriteFile("pts.csv", []byte("0,0\n1,-0.5\n0.5,0.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "merge", "--out", "changed", s0, s1); code != 1 || !strings.Contains(errs, "pts.csv changed since the shards read it") {
		t.Errorf("merge after the point file changed: exit %d, %q; want exit 1 saying it changed", code, errs)
	}
}
