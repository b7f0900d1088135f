// Package flagrule says, for every flag of a command, in which
// circumstances it has an effect, and refuses the flags given on a command
// line that have none there, with one message naming each flag, where it
// applies and what was chosen instead.
//
// It exists so that cmd/phasespace keeps only its table (which flag needs
// which SDE, sampler, data or metric) and not the machinery; the
// circumstances are the command's own type C. NameFile, likewise, names
// the flag whose file an error is about.
package flagrule

import (
	"flag"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
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

// NameFile prefixes err with "--name VALUE: " when it is about the file or
// directory VALUE of a flag given on the command line parsed by fs, or
// about a path inside that directory: an error in err's chain is an
// *fs.PathError or has a FilePath() string method naming the path. An
// error that already starts with "--" (it names its flag), a nil fs and
// errors about no given flag's file come back unchanged; the prefixed
// error wraps err.
func NameFile(fs *flag.FlagSet, err error) error {
	if fs == nil || err == nil || strings.HasPrefix(err.Error(), "--") {
		return err
	}
	paths := filePaths(err, nil)
	best, bestScore := (*flag.Flag)(nil), 0 // an exact match beats the innermost directory
	fs.Visit(func(f *flag.Flag) {
		v := f.Value.String()
		if v == "" || !isStringFlag(f) {
			return
		}
		for _, p := range paths {
			if sc := match(p, v); sc > bestScore {
				best, bestScore = f, sc
			}
		}
	})
	if best != nil {
		return fmt.Errorf("--%s %s: %w", best.Name, best.Value, err)
	}
	return err
}

// filePaths appends the paths named by the errors of err's tree.
func filePaths(err error, out []string) []string {
	if pe, ok := err.(*fs.PathError); ok {
		out = append(out, pe.Path)
	}
	if fp, ok := err.(interface{ FilePath() string }); ok {
		out = append(out, fp.FilePath())
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if e := u.Unwrap(); e != nil {
			out = filePaths(e, out)
		}
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = filePaths(e, out)
		}
	}
	return out
}

// match scores how well path p belongs to the flag value v: 0 not at all,
// len(v) when p lies inside the directory v (never for "." or "/"), and
// more than any such when p is v.
func match(p, v string) int {
	p, v = filepath.Clean(p), filepath.Clean(v)
	ap, err1 := filepath.Abs(p)
	av, err2 := filepath.Abs(v)
	switch {
	case p == v || err1 == nil && err2 == nil && ap == av:
		return math.MaxInt
	case v == "." || v == string(filepath.Separator):
		return 0
	case strings.HasPrefix(p, v+string(filepath.Separator)) || err1 == nil && err2 == nil && strings.HasPrefix(ap, av+string(filepath.Separator)):
		return len(v)
	}
	return 0
}

// isStringFlag reports whether f takes a free string (not a number or a
// switch), so that its value can be a path.
func isStringFlag(f *flag.Flag) bool {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return false
	}
	_, isNum := strconv.ParseFloat(f.Value.String(), 64)
	return isNum != nil
}
