package model

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"phasespace/dataset"
)

// A point-file run of d = 3 records its rows, held-out fraction and the
// standardisation fitted on its training rows; Load gives it back,
// PointSet reopens the same split, Sample returns the data's units; a
// changed held-out fraction is refused on resume, and a changed file by
// PointSet.
func TestPointFileRun(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "p.csv")
	x := make([]float64, 0, 3*120)
	for i := 0; i < 120; i++ {
		u := float64(i)
		x = append(x, 50+math.Sin(u), -20+3*math.Cos(u*0.7), 1e3+100*math.Sin(u*1.3))
	}
	dataset.WriteCSV(data, x, 3)
	c := Config{Data: data, ValFrac: 0.25, Net: Net{Hidden: 16, Layers: 1}, Steps: 2, Batch: 16, OutDir: filepath.Join(dir, "run"), Seed: 9}
	if _, err := Train(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	l, err := Load(c.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := l.PointSet("")
	if err != nil {
		t.Fatal(err)
	}
	want := dataset.FitStandardisation(ps.Train, 3)
	if pm := l.Meta.Points; pm == nil || pm.Rows != 120 || pm.ValFrac != 0.25 || l.Meta.Dim != 3 || !reflect.DeepEqual(pm.Standardisation, want) || len(ps.Val) != 30*3 {
		t.Fatalf("points record %+v (dim %d), want 120 rows at 0.25 with %+v", l.Meta.Points, l.Meta.Dim, want)
	}
	s, _, err := l.Sample(0, 10, 200, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := [3]float64{}
	for i, v := range s {
		m[i%3] += v / 200
	}
	if math.Abs(m[0]-50) > 3 || math.Abs(m[1]+20) > 6 || math.Abs(m[2]-1e3) > 60 {
		t.Errorf("sample means %v, want them in the data's units near (50, −20, 1000)", m)
	}
	c.ValFrac, c.Steps = 0.2, 3
	var re *ResumeError
	if _, err := Train(context.Background(), c); !errors.As(err, &re) || re.Changes[0].Setting != "val-frac" {
		t.Errorf("resume with another held-out fraction: %v", err)
	}
	dataset.WriteCSV(data, x[:3*100], 3)
	if _, err := l.PointSet(""); err == nil || !strings.Contains(err.Error(), "100 rows of 3 values") {
		t.Errorf("a changed file: %v", err)
	}
	os.Remove(data)
	var fe *dataset.FileError
	if _, err := l.PointSet(""); !errors.As(err, &fe) {
		t.Errorf("a missing file: %v, want a dataset.FileError", err)
	}
	if _, err := (&Loaded{Meta: Meta{Data: "8gaussians"}}).PointSet(""); err == nil {
		t.Error("PointSet of a toy run")
	}
}

// A point-file run started with a relative path records the absolute one,
// so that its checkpoint finds the file from any working directory; a
// checkpoint without it (older versions) looks relative to the working
// directory, then to the run's directory; a file found nowhere is an error
// that says the path came from the training config, lists the paths tried
// and how to give the file; a file given in its place with the same rows
// and dimension but other values is refused by its standardisation.
func TestPointFileFoundFromAnotherDirectory(t *testing.T) {
	work, elsewhere := t.TempDir(), t.TempDir()
	x := make([]float64, 0, 2*80)
	for i := 0; i < 80; i++ {
		x = append(x, float64(i%7), 3*math.Sin(float64(i)))
	}
	dataset.WriteCSV(filepath.Join(work, "pts.csv"), x, 2)
	t.Chdir(work)
	c := Config{Data: "pts.csv", Net: Net{Hidden: 8, Layers: 1}, Steps: 1, Batch: 8, OutDir: filepath.Join(work, "run")}
	if _, err := Train(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	t.Chdir(elsewhere)
	l, err := Load(c.OutDir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Meta.Data != "pts.csv" || l.Meta.Points.Path != filepath.Join(work, "pts.csv") {
		t.Fatalf("recorded data %q, path %q", l.Meta.Data, l.Meta.Points.Path)
	}
	if ps, err := l.PointSet(""); err != nil || ps.Path != filepath.Join(work, "pts.csv") {
		t.Fatalf("from another directory: %v", err)
	}
	// An older checkpoint: no absolute path. Not in the working directory,
	// but beside the run's output directory's content.
	l.Meta.Points.Path = ""
	_, err = l.PointSet("")
	var fe *dataset.FileError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "training config") || !strings.Contains(err.Error(), filepath.Join(c.OutDir, "pts.csv")) ||
		!strings.Contains(err.Error(), "--data FILE") {
		t.Errorf("a file found nowhere: %v", err)
	}
	dataset.WriteCSV(filepath.Join(c.OutDir, "pts.csv"), x, 2)
	if ps, err := l.PointSet(""); err != nil || ps.Path != filepath.Join(c.OutDir, "pts.csv") {
		t.Errorf("relative to the run directory: %v", err)
	}
	dataset.WriteCSV(filepath.Join(elsewhere, "pts.csv"), x, 2)
	if ps, err := l.PointSet(""); err != nil || ps.Path != "pts.csv" {
		t.Errorf("relative to the working directory first: %v", err)
	}
	// The same rows and dimension, other values: not the training file.
	y := append([]float64(nil), x...)
	for i := range y {
		y[i] *= 2
	}
	dataset.WriteCSV(filepath.Join(elsewhere, "other.csv"), y, 2)
	if _, err := l.PointSet("other.csv"); err == nil || !strings.Contains(err.Error(), "not the training file") || !strings.Contains(err.Error(), "stored") {
		t.Errorf("another file of the same shape: %v", err)
	}
}
