package likelihood

import (
	"strings"
	"testing"
)

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
	// The String of an unknown value is not a valid name, and errors start
	// with the package name and list the valid names.
	for _, s := range []string{Divergence(0).String(), Divergence(3).String(), ""} {
		if _, err := ParseDivergence(s); err == nil || !strings.HasPrefix(err.Error(), "likelihood: ") || !strings.Contains(err.Error(), "exact, hutchinson") {
			t.Errorf("ParseDivergence(%q): %v, want a likelihood: error listing exact, hutchinson", s, err)
		}
	}
	for _, s := range []string{Probe(0).String(), Probe(3).String(), ""} {
		if _, err := ParseProbe(s); err == nil || !strings.HasPrefix(err.Error(), "likelihood: ") || !strings.Contains(err.Error(), "rademacher, gaussian") {
			t.Errorf("ParseProbe(%q): %v, want a likelihood: error listing rademacher, gaussian", s, err)
		}
	}
}
