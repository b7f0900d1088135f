package sde

import (
	"strings"
	"testing"
)

// Every Kind and Objective round-trips through its parser; a value outside
// the enumeration prints as "Type(n)", which no parser accepts; parse
// errors start with "sde: " and list the valid names.
func TestEnumNames(t *testing.T) {
	for _, k := range []Kind{VP, CLD, PSLD} {
		if got, err := ParseKind(k.String()); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	for _, o := range []Objective{HSM, DSM} {
		if got, err := ParseObjective(o.String()); err != nil || got != o {
			t.Errorf("ParseObjective(%q) = %v, %v", o.String(), got, err)
		}
	}
	for _, f := range []Factor{FactorL, FactorR} {
		for _, s := range []string{f.String(), strings.ToLower(f.String())} {
			if got, err := ParseFactor(s); err != nil || got != f {
				t.Errorf("ParseFactor(%q) = %v, %v", s, got, err)
			}
		}
	}
	for _, s := range []string{"Factor(0)", "Factor(3)", "K", ""} {
		if _, err := ParseFactor(s); err == nil || !strings.HasPrefix(err.Error(), "sde: ") || !strings.Contains(err.Error(), "valid: L") {
			t.Errorf("ParseFactor(%q): %v, want an sde: error listing L and R", s, err)
		}
	}
	for _, c := range []struct{ got, want string }{
		{Factor(0).String(), "Factor(0)"}, {Factor(3).String(), "Factor(3)"},
		{Kind(0).String(), "Kind(0)"}, {Kind(4).String(), "Kind(4)"},
		{Objective(0).String(), "Objective(0)"}, {Objective(3).String(), "Objective(3)"},
	} {
		if c.got != c.want {
			t.Errorf("String of an unknown value = %q, want %q", c.got, c.want)
		}
	}
	for _, s := range []string{"Kind(0)", "Kind(4)", "ve", "VP", ""} {
		if _, err := ParseKind(s); err == nil || !strings.HasPrefix(err.Error(), "sde: ") || !strings.Contains(err.Error(), "vp, cld, psld") {
			t.Errorf("ParseKind(%q): %v, want an sde: error listing vp, cld, psld", s, err)
		}
	}
	for _, s := range []string{"Objective(0)", "Objective(3)", "ism", "HSM", ""} {
		if _, err := ParseObjective(s); err == nil || !strings.HasPrefix(err.Error(), "sde: ") || !strings.Contains(err.Error(), "hsm, dsm") {
			t.Errorf("ParseObjective(%q): %v, want an sde: error listing hsm, dsm", s, err)
		}
	}
}
