package experiment

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"phasespace/dataset"
	"phasespace/metrics"
	"phasespace/model"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/shard"
)

// writePointFile writes n rows of d Gaussian columns (mean j, scale j+1 in
// column j) to dir/name.
func writePointFile(t *testing.T, dir, name string, n, d int) string {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(d), 7))
	x := make([]float64, n*d)
	for i := range x {
		j := i % d
		x[i] = float64(j) + float64(j+1)*r.NormFloat64()
	}
	path := filepath.Join(dir, name)
	if err := dataset.WriteCSV(path, x, d); err != nil {
		t.Fatal(err)
	}
	return path
}

// cells splits a results.md row into its trimmed cells.
func cells(row string) []string {
	f := strings.Split(strings.Trim(strings.TrimSpace(row), "|"), "|")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

// A point file's cells train on its training rows and are scored against
// its held-out rows in the data's units: the sample metrics of the row are
// recomputed here from the cell's checkpoint and the file's own split, the
// NLL is the held-out one, d = 1 reports the 1-D W2, each cell draws its
// figure, and two shards write the rows of the single run.
func TestGridOnPointFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four 256×4 MLPs for 3 steps of batch 512 (a few seconds); skipped with -short")
	}
	dir := t.TempDir()
	p3, p1 := writePointFile(t, dir, "cloud.csv", 600, 3), writePointFile(t, dir, "line.csv", 600, 1)
	const n, nfe, seed = 40, 6, 5
	c := GridConfig{Out: filepath.Join(dir, "one"), Data: []string{p3, p1}, Runs: []Run{{sde.CLD, sde.DSM}, {sde.VP, sde.DSM}}, Steps: 3, N: n, NFE: nfe, Seed: seed}
	table, err := Grid(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(table)
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(lines) != 6 {
		t.Fatalf("results.md has %d lines, want 2 + 4 rows:\n%s", len(lines), raw)
	}
	for _, row := range lines[2:] {
		f := cells(row)
		if len(f) != 11 || f[5] != "–" || f[6] != "–" {
			t.Errorf("point-file row %q: want 11 cells, no true NLL or H(p)", row)
		}
		if (f[0] == p1) != strings.HasSuffix(f[9], "1-D W2") {
			t.Errorf("row %q: the SW2 cell says 1-D W2 exactly for the 1-D file", row)
		}
	}
	// Recompute the CLD cell of the 3-D file: samples of its checkpoint
	// (seed+8, SSCS) in data units against the file's held-out rows.
	cell := filepath.Join(c.Out, "cloud.csv-cld-dsm")
	lm, err := model.Load(cell)
	if err != nil {
		t.Fatal(err)
	}
	all, d, err := dataset.ReadPoints(p3)
	if err != nil || d != 3 {
		t.Fatal(err, d)
	}
	tr, va := dataset.Split(len(all)/d, dataset.DefaultValFrac, seed)
	val, train := dataset.Rows(all, d, va), dataset.Rows(all, d, tr)
	x, _, err := sampler.Sample(sampler.Config{Process: lm.Process, Model: lm.Score, Method: sampler.SSCS, NFE: nfe, Seed: seed + 8}, n)
	if err != nil {
		t.Fatal(err)
	}
	std := dataset.FitStandardisation(train, d)
	std.Invert(x)
	ed, _ := metrics.EnergyDistance(x, val, d)
	edFloor, _ := metrics.EnergyDistance(train[:n*d], val, d)
	sw, _ := metrics.SlicedW2Dim(x, val, d, seed+9)
	want := fmt.Sprintf("%.4f (%.4f)", ed, edFloor)
	f := cells(lines[2])
	if f[0] != p3 || f[1] != "cld" || f[8] != want || f[9] != fmt.Sprintf("%.4f (%.4f)", sw, mustSW(train[:n*d], val, d, seed+9)) {
		t.Errorf("cloud CLD row %q: ED cell want %q (held-out rows, floor of %d training rows), SW2 %.4f", lines[2], want, n, sw)
	}
	if v, err := strconv.ParseFloat(strings.Fields(f[4])[0], 64); err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		t.Errorf("NLL cell %q", f[4])
	}
	for _, name := range []string{"cloud.csv-cld-dsm", "cloud.csv-vp-dsm", "line.csv-cld-dsm", "line.csv-vp-dsm"} {
		if st, err := os.Stat(filepath.Join(c.Out, name, "samples.png")); err != nil || st.Size() == 0 {
			t.Errorf("%s: no samples.png: %v", name, err)
		}
	}
	// Two shards of the same grid write the same rows (all but the
	// training minutes).
	sh := c
	sh.Out = filepath.Join(dir, "sharded")
	for i := 0; i < 2; i++ {
		sh.Shard = shard.Spec{Index: i, Count: 2}
		if _, err := Grid(context.Background(), sh); err != nil {
			t.Fatal(err)
		}
	}
	sh.Shard = shard.Spec{}
	table2, err := Grid(context.Background(), sh)
	if err != nil {
		t.Fatal(err)
	}
	raw2, _ := os.ReadFile(table2)
	if a, b := dropMinutes(string(raw)), dropMinutes(string(raw2)); a != b {
		t.Errorf("sharded table differs from the single run:\n%s\nvs\n%s", b, a)
	}
}

func mustSW(a, b []float64, d int, seed uint64) float64 {
	v, _ := metrics.SlicedW2Dim(a, b, d, seed)
	return v
}

// dropMinutes removes the last cell (training minutes) of each row.
func dropMinutes(table string) string {
	var b strings.Builder
	for _, l := range strings.Split(table, "\n") {
		if i := strings.LastIndex(strings.TrimSuffix(l, "|"), "|"); i > 0 && !strings.HasPrefix(l, "|---") {
			l = l[:i]
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// The grid refuses, before training, names that are neither toy sets nor
// point files, unreadable point files, and two files of one base name.
func TestGridRefusesDataItCannotScore(t *testing.T) {
	dir := t.TempDir()
	a := writePointFile(t, dir, "p.csv", 600, 2)
	os.Mkdir(filepath.Join(dir, "b"), 0o755)
	b := writePointFile(t, filepath.Join(dir, "b"), "p.csv", 600, 2)
	small := writePointFile(t, dir, "small.csv", 100, 2)
	for _, tc := range []struct {
		data  []string
		field bool // a *ConfigError (else a file error)
		want  string
	}{
		{[]string{"fashion-mnist"}, true, "neither a toy set"},
		{[]string{filepath.Join(dir, "missing.csv")}, false, "missing.csv"},
		{[]string{a, b}, true, "share the name p.csv"},
		{[]string{small}, true, "fewer than one batch"},
	} {
		out := filepath.Join(dir, "out")
		_, err := Grid(context.Background(), GridConfig{Out: out, Data: tc.data, Steps: 1})
		var ce *ConfigError
		if err == nil || !strings.Contains(err.Error(), tc.want) || errors.As(err, &ce) != tc.field {
			t.Errorf("Grid(%v): %v; want an error containing %q (config error: %v)", tc.data, err, tc.want, tc.field)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("Grid(%v) wrote %s before refusing", tc.data, out)
		}
	}
}

// WriteSamples and WritePoints write .csv and .png only: any other
// extension is a *ConfigError for Out that names it, and nothing is
// written (before: a CSV under any name).
func TestSampleOutputsNeedAKnownExtension(t *testing.T) {
	dir := t.TempDir()
	x := []float64{0, 1, 2, 3, 4, 5}
	for _, name := range []string{"a.txt", "a", "a.csv.bak"} {
		path := filepath.Join(dir, name)
		for _, err := range []error{WriteSamples(path, "", x, 2, 0), WritePoints(path, "", x, 3, nil)} {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != "Out" || !strings.Contains(err.Error(), ".csv") || !strings.Contains(err.Error(), ".png") ||
				(filepath.Ext(name) != "" && !strings.Contains(err.Error(), filepath.Ext(name))) {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := os.Stat(path); err == nil {
			t.Errorf("%s was written", name)
		}
	}
	if err := WritePoints(filepath.Join(dir, "a.CSV"), "", x, 3, nil); err != nil {
		t.Error(err)
	}
}
