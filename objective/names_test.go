package objective

import (
	"fmt"
	"strings"
	"testing"
)

// enumCase is one enumeration: its valid values' names, the parser, the
// String of values just outside it, and a name its error must list.
type enumCase struct {
	name    string
	valid   []fmt.Stringer
	parse   func(string) (fmt.Stringer, error)
	outside []fmt.Stringer
	lists   string
}

// Every enumeration round-trips through its parser; a value outside it
// prints as "Type(n)", which the parser refuses; parse errors start with
// "objective: " and list the valid names.
func TestEnumNames(t *testing.T) {
	cases := []enumCase{
		{"Weighting", []fmt.Stringer{WeightEps, WeightML}, func(s string) (fmt.Stringer, error) { return ParseWeighting(s) },
			[]fmt.Stringer{Weighting(0), Weighting(3)}, "eps, ml"},
	}
	for _, c := range cases {
		for _, v := range c.valid {
			if got, err := c.parse(v.String()); err != nil || got != v {
				t.Errorf("Parse%s(%q) = %v, %v", c.name, v.String(), got, err)
			}
		}
		for i, v := range c.outside {
			want := fmt.Sprintf("%s(%d)", c.name, []int{0, len(c.valid) + 1}[i])
			if v.String() != want {
				t.Errorf("%s value outside the enumeration prints %q, want %q", c.name, v.String(), want)
			}
		}
		for _, s := range []string{c.outside[0].String(), c.outside[1].String(), "", "nonesuch"} {
			if _, err := c.parse(s); err == nil || !strings.HasPrefix(err.Error(), "objective: ") || !strings.Contains(err.Error(), c.lists) {
				t.Errorf("Parse%s(%q): %v, want an objective: error listing %s", c.name, s, err, c.lists)
			}
		}
	}
}
