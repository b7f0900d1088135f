package dataset

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
)

// writeNPY writes v with npyio's writer.
func writeNPY(t testing.TB, path string, v any) {
	var b bytes.Buffer
	if err := npy.Write(&b, v); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rawNPY builds a version-1 .npy file by hand: header dict, padding,
// newline, then data.
func rawNPY(descr, shape string, data []byte) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }", descr, map[bool]string{true: "True", false: "False"}[strings.HasPrefix(shape, "F")], strings.TrimPrefix(shape, "F"))
	for (10+len(h)+1)%16 != 0 {
		h += " "
	}
	h += "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	return append(append(out, h...), data...)
}

func TestReadNPYShapesAndTypes(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		v    any
		want []float64
		d    int
	}{
		{"f64.npy", [3][2]float64{{1, 2}, {3, 4}, {5, 6}}, []float64{1, 2, 3, 4, 5, 6}, 2},
		{"f32.npy", [2][3]float32{{0.5, -1, 2}, {3, 4, 1e-3}}, []float64{0.5, -1, 2, 3, 4, float64(float32(1e-3))}, 3},
		{"one.npy", []float64{7, 8, 9}, []float64{7, 8, 9}, 1},
		{"fortran.npy", rawNPY(">f8", "F(3, 2)", binary.BigEndian.AppendUint64(f64bytes(1, 3, 5, 2, 4), math.Float64bits(6))), []float64{1, 2, 3, 4, 5, 6}, 2},
	} {
		p := filepath.Join(dir, c.name)
		if raw, ok := c.v.([]byte); ok {
			os.WriteFile(p, raw, 0o644)
		} else {
			writeNPY(t, p, c.v)
		}
		x, d, err := ReadPoints(p)
		if err != nil || d != c.d || !slices.Equal(x, c.want) {
			t.Errorf("%s: got %v (d=%d), %v; want %v (d=%d)", c.name, x, d, err, c.want, c.d)
		}
	}
}

func TestReadNPYErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.npy")
	writeNPY(t, good, [4][2]float64{{1, 2}, {3, 4}, {5, 6}, {7, 8}})
	full, _ := os.ReadFile(good)
	for _, c := range []struct {
		name string
		v    any    // written with npyio, or
		raw  []byte // raw bytes
		want string
	}{
		{name: "int.npy", v: [2][2]int64{{1, 2}, {3, 4}}, want: `dtype "<i8": want float32 or float64`},
		{name: "cube.npy", v: [2][2][2]float64{}, want: "shape [2 2 2]: want (n, d) points or (n,) values"},
		{name: "nan.npy", v: [3][2]float64{{1, 2}, {3, 4}, {math.NaN(), 0}}, want: "row 3, column 1 is NaN: samples must be finite"},
		{name: "inf.npy", v: [2][2]float32{{1, float32(math.Inf(1))}, {3, 4}}, want: "row 1, column 2 is +Inf"},
		{name: "empty.npy", raw: rawNPY("<f8", "(0, 3)", nil), want: "shape [0 3]: no samples"},
		{name: "fortran.npy", raw: rawNPY("<f8", "(2, 2)", nil), want: "truncated"},
		{name: "short.npy", raw: full[:len(full)-8], want: "truncated"},
		{name: "text.npy", raw: []byte("1,2\n3,4\n"), want: "not a NumPy .npy file"},
		{name: "nothing.npy", raw: []byte{}, want: "not a NumPy .npy file"},
	} {
		p := filepath.Join(dir, c.name)
		if c.raw != nil || c.v == nil {
			os.WriteFile(p, c.raw, 0o644)
		} else {
			writeNPY(t, p, c.v)
		}
		_, _, err := ReadPoints(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "dataset: "+p) {
			t.Errorf("%s: %v, want an error naming the file and containing %q", c.name, err, c.want)
		}
	}
}

// f64bytes writes big-endian float64 values.
func f64bytes(v ...float64) []byte {
	var out []byte
	for _, x := range v {
		out = binary.BigEndian.AppendUint64(out, math.Float64bits(x))
	}
	return out
}

// FuzzReadNPY: any file content is either read as a consistent, finite
// n×d matrix or refused with an error; never a panic and never an
// allocation beyond the file's size.
func FuzzReadNPY(f *testing.F) {
	var b bytes.Buffer
	npy.Write(&b, [3][2]float64{{1, 2}, {3, 4}, {5, 6}})
	f.Add(b.Bytes())
	b.Reset()
	npy.Write(&b, [2][2]float32{{1, 2}, {3, 4}})
	f.Add(b.Bytes())
	b.Reset()
	npy.Write(&b, []float64{1, 2, 3})
	f.Add(b.Bytes())
	b.Reset()
	npy.Write(&b, [2][2]int32{{1, 2}, {3, 4}})
	f.Add(b.Bytes())
	f.Add([]byte("\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		p := filepath.Join(t.TempDir(), "s.npy")
		os.WriteFile(p, body, 0o644)
		x, d, err := ReadNPY(p)
		if err != nil {
			return
		}
		if d < 1 || len(x) == 0 || len(x)%d != 0 || len(x)*4 > len(body) {
			t.Fatalf("accepted %d values of dimension %d from %d bytes", len(x), d, len(body))
		}
		for _, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("accepted non-finite value %v", v)
			}
		}
	})
}

// The standardisation maps the training rows to mean 0 and standard
// deviation 1 per dimension, Invert undoes it, and LogDet is Σ log σ_j.
func TestStandardisation(t *testing.T) {
	x := []float64{100, 1, -3, 110, 1, -3, 90, 1, 5, 100, 1, 5} // 4×3, column 2 constant
	s := FitStandardisation(x, 3)
	if want := []float64{100, 1, 1}; !slices.Equal(s.Mean, want) {
		t.Fatalf("mean %v, want %v", s.Mean, want)
	}
	if want := []float64{math.Sqrt(50), 1, 4}; !slices.Equal(s.Scale, want) {
		t.Fatalf("scale %v, want %v (a constant column gets 1)", s.Scale, want)
	}
	if got, want := s.LogDet(), math.Log(math.Sqrt(50))+math.Log(4); math.Abs(got-want) > 1e-15 {
		t.Errorf("LogDet = %v, want %v", got, want)
	}
	z := slices.Clone(x)
	s.Apply(z)
	if z[0] != 0 || math.Abs(z[3]-math.Sqrt(2)) > 1e-15 || z[2] != -1 || z[8] != 1 {
		t.Errorf("standardised %v", z)
	}
	s.Invert(z)
	for i := range x {
		if math.Abs(z[i]-x[i]) > 1e-12 {
			t.Fatalf("round trip: value %d is %v, want %v", i, z[i], x[i])
		}
	}
	var none *Standardisation
	none.Apply(z)
	none.Invert(z)
	if none.LogDet() != 0 || none.Dim() != 0 {
		t.Error("a nil standardisation is not the identity")
	}
}

// The split is a partition, depends on the seed only, and holds out
// round(f·n) rows.
func TestSplit(t *testing.T) {
	tr, va := Split(1000, 0.1, 3)
	if len(va) != 100 || len(tr) != 900 {
		t.Fatalf("split %d/%d, want 900/100", len(tr), len(va))
	}
	all := append(slices.Clone(tr), va...)
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("not a partition of 0..999: %d at %d", v, i)
		}
	}
	tr2, va2 := Split(1000, 0.1, 3)
	_, va3 := Split(1000, 0.1, 4)
	if !slices.Equal(tr, tr2) || !slices.Equal(va, va2) || slices.Equal(va, va3) {
		t.Error("the split is not a function of the seed")
	}
}

func TestOpenPointSet(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.csv")
	x := make([]float64, 0, 200)
	for i := 0; i < 100; i++ {
		x = append(x, float64(i), 100+10*float64(i%7))
	}
	if err := WriteTable(p, []string{"a", "b"}, x, 2); err != nil {
		t.Fatal(err)
	}
	src, err := Open(p, Options{Points: PointOptions{ValFrac: 0.2, Seed: 5, Batch: 80}})
	if err != nil {
		t.Fatal(err)
	}
	pts := src.(*Points)
	ps := pts.Set()
	if ps.Dim != 2 || ps.Rows != 100 || len(ps.Train) != 160 || len(ps.Val) != 40 {
		t.Fatalf("set: d=%d rows=%d train=%d val=%d values", ps.Dim, ps.Rows, len(ps.Train), len(ps.Val))
	}
	// Each epoch serves every standardised training row once.
	seen := map[[2]float64]int{}
	dst := make([]float64, 2*40)
	for step := int64(0); step < 4; step++ { // 160 rows = 2 epochs of 80
		if err := src.Batch(dst, 40, 1, step); err != nil {
			t.Fatal(err)
		}
		ps.Standardised.Invert(dst)
		for i := 0; i < 40; i++ {
			seen[[2]float64{math.Round(dst[2*i]), math.Round(dst[2*i+1])}]++
		}
	}
	for i := 0; i < 80; i++ {
		if c := seen[[2]float64{ps.Train[2*i], ps.Train[2*i+1]}]; c != 2 {
			t.Fatalf("training row %d served %d times in 2 epochs", i, c)
		}
	}
	for _, c := range []struct {
		o    PointOptions
		want string
	}{
		{PointOptions{Batch: 91}, "90 training rows (of 100, 10 held out) are fewer than one batch of 91"},
		{PointOptions{ValFrac: 0.01}, "hold out 1 at fraction 0.01: want at least 2 held-out rows"},
		{PointOptions{ValFrac: 0.7}, "held-out fraction 0.7: want 0 < f <= 0.5"},
	} {
		if _, err := OpenPointSet(p, c.o); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
	if IsImage(p) || !IsPoints(p) || !IsPoints("A.NPY") || IsPoints("mnist") {
		t.Error("IsImage/IsPoints misclassify")
	}
}
