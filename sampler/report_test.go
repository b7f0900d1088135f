package sampler

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"phasespace/sde"
)

// RecordPaths keeps (x₁, x₂, v₁, v₂) of the first samples, zero velocity
// without V, and skips the paths beyond the batch.
func TestRecordPaths(t *testing.T) {
	paths := make([][][4]float64, 3)
	RecordPaths(paths, Step{X: []float64{1, 2, 3, 4}, V: []float64{5, 6, 7, 8}}, 2)
	RecordPaths(paths, Step{X: []float64{9, 10, 11, 12}}, 2)
	want := [][][4]float64{{{1, 2, 5, 6}, {9, 10, 0, 0}}, {{3, 4, 7, 8}, {11, 12, 0, 0}}, nil}
	if !reflect.DeepEqual(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}
	// d = 3: the first two coordinates of each row.
	p3 := make([][][4]float64, 1)
	RecordPaths(p3, Step{X: []float64{1, 2, 3}}, 3)
	if p3[0][0] != [4]float64{1, 2, 0, 0} {
		t.Fatalf("d = 3: %v", p3[0])
	}
}

// Note names the settings that decide each method's cost.
func TestStatsNote(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		st   Stats
		want []string
	}{
		{Config{Method: ODE, RTol: 1e-3, ATol: 1e-4}, Stats{Rejected: 3}, []string{"rtol 0.001 atol 0.0001", "3 rejected", "incl. 1 denoising"}},
		{Config{Method: GDDIM, Order: 2, Param: sde.FactorL, Striding: Quadratic, Eps: 0.01, NoDenoise: true}, Stats{}, []string{"order 2", "K = L", "quadratic striding", "ε = 0.01", "no denoising"}},
		{Config{Method: EM, Striding: Uniform, Eps: 0.001}, Stats{}, []string{"uniform striding", "ε = 0.001"}},
		{Config{Method: GDDIM, Order: 3}, Stats{}, []string{"quadratic striding"}}, // the zero Striding's default for gDDIM
		{Config{Method: SSCS}, Stats{}, []string{"uniform striding"}},
	} {
		got := c.st.Note(c.cfg)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%v: note %q lacks %q", c.cfg.Method, got, w)
			}
		}
	}
}

// A run shorter than two seconds prints no status line and Done adds no
// newline.
func TestProgressQuietWhenFast(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, Config{Method: EM, NFE: 10})
	p.Step(Step{Index: 1})
	p.Done()
	if b.Len() != 0 {
		t.Fatalf("wrote %q", b.String())
	}
}
