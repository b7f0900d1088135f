package flagrule

import (
	"flag"
	"slices"
	"strings"
	"testing"
)

type ctx struct{ sampler string }

// TestCheck: a given flag whose condition fails is refused with its
// wording, a flag without a rule is reported missing, flags not given and
// flags whose conditions hold pass.
func TestCheck(t *testing.T) {
	t.Parallel()
	ode := Choice("to", "sampler", func(u ctx) string { return u.sampler }, "ode")
	never := Fixed("with --never", "here", func(ctx) bool { return false })
	table := Rules("n seed", On("rtol atol", ode), On("order", never))
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	for _, n := range []string{"n", "seed", "rtol", "atol", "order", "orphan"} {
		fs.String(n, "", "")
	}
	if err := fs.Parse([]string{"--n", "3", "--rtol", "1e-3", "--orphan", "x", "--order", "2"}); err != nil {
		t.Fatal(err)
	}
	refused, missing := Check(table, fs, ctx{sampler: "em"})
	want := []string{"--order does not apply here: it applies only with --never", "--rtol does not apply to --sampler em: it applies only to --sampler ode"}
	if !slices.Equal(refused, want) || !slices.Equal(missing, []string{"--orphan"}) {
		t.Fatalf("refused %q, missing %q; want %q and --orphan", refused, missing, want)
	}
	refused, _ = Check(table, fs, ctx{sampler: "ode"})
	if len(refused) != 1 || !strings.HasPrefix(refused[0], "--order") {
		t.Fatalf("with --sampler ode: refused %q, want only --order", refused)
	}
}
