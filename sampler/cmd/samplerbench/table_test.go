package main

import (
	"math"
	"strings"
	"testing"

	"phasespace/metrics"
	"phasespace/toy"
)

// The fast MMD² of the table equals metrics.MMD2 (same kernel and
// U-statistic) on data sets of different sizes and laws.
func TestMMDRefMatchesMetrics(t *testing.T) {
	y, _ := toy.Sample("diamond", 300, 11)
	for _, name := range []string{"diamond", "8gaussians", "moons"} {
		x, _ := toy.Sample(name, 250, 12)
		r, err := newMMDRef(y, 2)
		if err != nil {
			t.Fatal(err)
		}
		if r.pows == nil {
			t.Fatalf("bandwidth factors %v: want integer ratios of inverse squared bandwidths", metrics.MMDBandwidthFactors())
		}
		got, _ := r.mmd2(x)
		want, _ := metrics.MMD2(x, y, 2)
		if math.Abs(got-want) > 1e-12*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: fast MMD² %.15g, metrics.MMD2 %.15g", name, got, want)
		}
	}
}

// The floor is mean + z·(sample s.d.), one-sided.
func TestFloorStats(t *testing.T) {
	f, err := newFloorStats([]float64{-1, 0, 1, 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	sd := math.Sqrt(5.0 / 3) // Σ(v−0.5)² = 5, n−1 = 3
	if math.Abs(f.mean-0.5) > 1e-15 || math.Abs(f.sd-sd) > 1e-15 {
		t.Fatalf("mean %v s.d. %v, want 0.5 and %v", f.mean, f.sd, sd)
	}
	if lim := 0.5 + 2*sd; !f.at(lim) || f.at(lim+1e-9) || !f.at(-10) {
		t.Errorf("at: limit %v not applied as MMD² <= mean + 2 s.d.", lim)
	}
	if _, err := newFloorStats([]float64{1}, 2); err == nil {
		t.Error("one value: want an error")
	}
}

// The ladder search reports the first pass confirmed by the next rung,
// counts unconfirmed passes, accepts the top rung on its own and never
// evaluates a rung twice or beyond the confirming one.
func TestSearchLadder(t *testing.T) {
	ladder := []int{5, 8, 10, 12, 15}
	cases := []struct {
		pass   map[int]bool
		found  int
		lucky  int
		topped bool
		evals  int
	}{
		{map[int]bool{10: true, 12: true, 15: true}, 2, 0, false, 4},
		{map[int]bool{5: true, 10: true, 12: true}, 2, 1, false, 4}, // 5 passes, 8 fails
		{map[int]bool{8: true, 12: true, 15: true}, 3, 1, false, 5},
		{map[int]bool{15: true}, 4, 0, true, 5},
		{map[int]bool{12: true}, -1, 1, false, 5},
		{map[int]bool{}, -1, 0, false, 5},
		{map[int]bool{5: true, 8: true}, 0, 0, false, 2},
	}
	for i, c := range cases {
		seen := map[int]int{}
		res := searchLadder(ladder, func(k int) rung {
			seen[k]++
			return rung{nfe: k, ok: c.pass[k]}
		})
		if res.found != c.found || res.lucky != c.lucky || res.topped != c.topped || len(res.rungs) != c.evals {
			t.Errorf("case %d: found %d lucky %d topped %v evals %d, want %d %d %v %d", i, res.found, res.lucky, res.topped, len(res.rungs), c.found, c.lucky, c.topped, c.evals)
		}
		for k, m := range seen {
			if m != 1 {
				t.Errorf("case %d: NFE %d evaluated %d times", i, k, m)
			}
		}
		for j, r := range res.rungs {
			if r.nfe != ladder[j] {
				t.Errorf("case %d: rung %d has NFE %d, want %d", i, j, r.nfe, ladder[j])
			}
		}
	}
}

func TestParseLadder(t *testing.T) {
	if v, err := parseLadder("5, 8,10"); err != nil || len(v) != 3 || v[1] != 8 {
		t.Errorf("parseLadder: %v %v", v, err)
	}
	for _, bad := range []string{"5,5", "8,5", "1,5", "x"} {
		if _, err := parseLadder(bad); err == nil {
			t.Errorf("parseLadder(%q): want an error", bad)
		}
	}
}

// A tiny end-to-end table: every sampler × striding row is present, VP has
// no SSCS cells, and the ODE rows follow.
func TestSmallestNFETableTiny(t *testing.T) {
	var out, progress strings.Builder
	if err := smallestNFETable(&out, &progress, 40, 3, []int{5, 8}, []float64{1e-2}, []string{"8gaussians"}, 2, 2, nil); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, row := range tableRows() {
		if !strings.Contains(s, "| "+row.label()+" |") {
			t.Errorf("row %q missing", row.label())
		}
	}
	if got := strings.Count(s, "| SSCS | US | n/a |") + strings.Count(s, "| SSCS | QS | n/a |"); got != 2 {
		t.Errorf("%d SSCS rows start with an n/a VP cell, want 2", got)
	}
	for _, k := range []string{"| VP |", "| CLD |", "| PSLD |"} {
		if !strings.Contains(s, k) {
			t.Errorf("ODE row %q missing", k)
		}
	}
	if err := smallestNFETable(&out, &progress, 40, 3, []int{5}, nil, []string{"moons"}, 2, 2, nil); err == nil {
		t.Error("moons has no exact mixture: want an error")
	}
}
