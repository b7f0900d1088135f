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
		{"x,y\n1,2\n3\n", ":3: 1 columns, earlier rows have 2"},
		{"1,2\n3,abc\n", `:2: column 2 is "abc"`},
		{"1,NaN\n", ":1: column 2 is NaN"},
		{"x,y\n", "a header row and no samples"},
		{"", "empty file"},
		{"x,y,z\n1,2\n", ":2: 2 columns, the header row has 3"},
		{"1,2\n\n3,+Inf\n", ":3: column 2 is +Inf"},
		{"1,\"2\n", "want comma-separated numbers"},
	} {
		path := filepath.Join(dir, "bad.csv")
		os.WriteFile(path, []byte(c.text), 0o644)
		_, _, err := ReadCSV(path)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "dataset: ") {
			t.Errorf("%q: %v, want an error containing %q", c.text, err, c.want)
		}
	}
	header := filepath.Join(dir, "h.csv")
	os.WriteFile(header, []byte("x,y\n\n1,2\n"), 0o644)
	if x, d, err := ReadCSV(header); err != nil || d != 2 || len(x) != 2 || x[0] != 1 || x[1] != 2 {
		t.Errorf("a header and a blank line: %v, %d columns, %v", x, d, err)
	}
	if err := WriteCSV(filepath.Join(dir, "o.csv"), []float64{1, 2, 3}, 2); err == nil {
		t.Error("3 values as rows of 2 accepted")
	}
}

// FuzzReadCSV: any file content is either read as a consistent,
// finite n×d matrix or refused with an error; never a panic.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("1,2\n3,4\n"))
	f.Add([]byte("x,y\n1e308,-1e308\n"))
	f.Add([]byte("1,2\n3\n"))
	f.Add([]byte("NaN,1\n"))
	f.Add([]byte(",\n,,\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p := filepath.Join(t.TempDir(), "s.csv")
		os.WriteFile(p, body, 0o644)
		x, d, err := ReadCSV(p)
		if err != nil {
			return
		}
		if d < 1 || len(x) == 0 || len(x)%d != 0 {
			t.Fatalf("accepted %d values of dimension %d", len(x), d)
		}
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("accepted non-finite value %v", v)
			}
		}
	})
}
