package dataset

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCSVRoundTripIsExact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.csv")
	x := []float64{math.Pi, -1e-300, 1.0 / 3, math.MaxFloat64, 0, -2.5}
	if err := WriteCSV(path, x, 3); err != nil {
		t.Fatal(err)
	}
	y, d, err := ReadCSV(path)
	if err != nil || d != 3 || len(y) != len(x) {
		t.Fatalf("read %d values of %d columns: %v", len(y), d, err)
	}
	for i := range x {
		if x[i] != y[i] {
			t.Errorf("value %d: %v read back as %v", i, x[i], y[i])
		}
	}
}

func TestCSVErrorsNameTheLine(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{"x,y\n1,2\n3\n", ":3: 1 columns, earlier lines have 2"},
		{"1,2\n3,abc\n", `:2: column 2 is "abc"`},
		{"1,NaN\n", ":1: column 2 is NaN"},
		{"x,y\n", "no samples"},
	} {
		path := filepath.Join(dir, "bad.csv")
		os.WriteFile(path, []byte(c.text), 0o644)
		_, _, err := ReadCSV(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "dataset: ") {
			t.Errorf("%q: %v, want an error containing %q", c.text, err, c.want)
		}
	}
	if err := WriteCSV(filepath.Join(dir, "o.csv"), []float64{1, 2, 3}, 2); err == nil {
		t.Error("3 values as rows of 2 accepted")
	}
}
