package likelihood

import "testing"

func TestNamesRoundTrip(t *testing.T) {
	for _, d := range []Divergence{Exact, Hutchinson} {
		if got, err := ParseDivergence(d.String()); err != nil || got != d {
			t.Errorf("ParseDivergence(%q) = %v, %v", d.String(), got, err)
		}
	}
	for _, p := range []Probe{Rademacher, Gaussian} {
		if got, err := ParseProbe(p.String()); err != nil || got != p {
			t.Errorf("ParseProbe(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := ParseDivergence("Exact"); err == nil {
		t.Error("ParseDivergence(Exact) accepted")
	}
	if _, err := ParseProbe("normal"); err == nil {
		t.Error("ParseProbe(normal) accepted")
	}
	if Divergence(0).String() != "Divergence(0)" || Probe(7).String() != "Probe(7)" {
		t.Error("unknown values must print their number")
	}
}
