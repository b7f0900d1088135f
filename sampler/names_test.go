package sampler

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
// "sampler: " and list the valid names.
func TestEnumNames(t *testing.T) {
	cases := []enumCase{
		{"Method", []fmt.Stringer{EM, SSCS, ODE, GDDIM}, func(s string) (fmt.Stringer, error) { return ParseMethod(s) },
			[]fmt.Stringer{Method(0), Method(5)}, "em, sscs, ode, gddim"},
		{"Striding", []fmt.Stringer{Uniform, Quadratic}, func(s string) (fmt.Stringer, error) { return ParseStriding(s) },
			[]fmt.Stringer{Striding(0), Striding(3)}, "uniform, quadratic"},
		{"ScoreTime", []fmt.Stringer{ScoreAtMidpoint, ScoreAtStart}, func(s string) (fmt.Stringer, error) { return ParseScoreTime(s) },
			[]fmt.Stringer{ScoreTime(0), ScoreTime(3)}, "midpoint, start"},
		{"HalfStepBeta", []fmt.Stringer{BetaPerHalf, BetaFirstHalfTwice}, func(s string) (fmt.Stringer, error) { return ParseHalfStepBeta(s) },
			[]fmt.Stringer{HalfStepBeta(0), HalfStepBeta(3)}, "per-half, first-half"},
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
			if _, err := c.parse(s); err == nil || !strings.HasPrefix(err.Error(), "sampler: ") || !strings.Contains(err.Error(), c.lists) {
				t.Errorf("Parse%s(%q): %v, want a sampler: error listing %s", c.name, s, err, c.lists)
			}
		}
	}
}
