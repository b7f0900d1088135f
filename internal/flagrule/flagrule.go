// Package flagrule says, for every flag of a command, in which
// circumstances it has an effect, and refuses the flags given on a command
// line that have none there, with one message naming each flag, where it
// applies and what was chosen instead.
//
// It exists so that cmd/phasespace keeps only its table (which flag needs
// which SDE, sampler, data or metric) and not the machinery; the
// circumstances are the command's own type C.
package flagrule

import (
	"flag"
	"slices"
	"sort"
	"strings"
)

// Cond is one circumstance a flag needs: When says it ("to --sde cld"),
// OK tests it and Here says what was chosen instead ("to --sde vp").
type Cond[C any] struct {
	When string
	OK   func(C) bool
	Here func(C) string
}

// Rule is the conditions under which a flag has an effect (none: always).
type Rule[C any] []Cond[C]

// Table maps each flag of a command to its rule.
type Table[C any] map[string]Rule[C]

// Choice is the condition that the choice --flag (read by get) is one of
// names; prep ("to", "with") leads its wording.
func Choice[C any](prep, flag string, get func(C) string, names ...string) Cond[C] {
	return Cond[C]{
		When: prep + " --" + flag + " " + strings.Join(names, " or "),
		OK:   func(u C) bool { return slices.Contains(names, get(u)) },
		Here: func(u C) string { return prep + " --" + flag + " " + get(u) },
	}
}

// Fixed is a condition whose refusal always reads here.
func Fixed[C any](when, here string, ok func(C) bool) Cond[C] {
	return Cond[C]{When: when, OK: ok, Here: func(C) string { return here }}
}

// On gives each of the space-separated flag names the rule r.
func On[C any](names string, r ...Cond[C]) Table[C] {
	out := Table[C]{}
	for _, n := range strings.Fields(names) {
		out[n] = r
	}
	return out
}

// Rules builds one command's table from the space-separated names of the
// flags that always apply and further tables.
func Rules[C any](always string, tables ...Table[C]) Table[C] {
	out := On[C](always)
	for _, t := range tables {
		for n, r := range t {
			out[n] = r
		}
	}
	return out
}

// Check returns, for every flag given explicitly in fs that has no effect
// in circumstances u, a message "--name does not apply HERE: it applies
// only WHEN", and the given flags that have no rule in t (sorted, as
// "--name": an internal error of the command).
func Check[C any](t Table[C], fs *flag.FlagSet, u C) (refused, missing []string) {
	fs.Visit(func(fl *flag.Flag) {
		r, ok := t[fl.Name]
		if !ok {
			missing = append(missing, "--"+fl.Name)
			return
		}
		for _, c := range r {
			if !c.OK(u) {
				refused = append(refused, "--"+fl.Name+" does not apply "+c.Here(u)+": it applies only "+c.When)
				return
			}
		}
	})
	sort.Strings(missing)
	return refused, missing
}
