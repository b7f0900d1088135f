package flagrule

import (
	"errors"
	"flag"
	"fmt"
	fs2 "io/fs"
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

// NameFile names the flag whose file or directory an error is about (the
// path itself or one inside the directory), through wrapped and joined
// errors, and leaves other errors alone.
func TestNameFile(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.String("points", "", "")
	fs.String("ckpt", "", "")
	fs.String("out", "", "")
	fs.String("unset", "f.csv", "")
	fs.Int("n", 0, "")
	if err := fs.Parse([]string{"--points", "p.csv", "--ckpt", "run", "--out", ".", "--n", "5"}); err != nil {
		t.Fatal(err)
	}
	open := func(p string) error { return &fs2.PathError{Op: "open", Path: p, Err: fs2.ErrNotExist} }
	for _, tc := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("dataset: %w", open("p.csv")), "--points p.csv: dataset: open p.csv: file does not exist"},
		{errors.Join(errors.New("a"), fmt.Errorf("b: %w", open("run/checkpoints/step-1"))), "--ckpt run: a\nb: open run/checkpoints/step-1: file does not exist"},
		{fmt.Errorf("c: %w", open("other.csv")), "c: open other.csv: file does not exist"},
		{open("f.csv"), "open f.csv: file does not exist"},         // --unset was not given
		{open("5"), "open 5: file does not exist"},                 // --n is a number
		{open("sub/x.csv"), "open sub/x.csv: file does not exist"}, // "." holds every relative path: only "." itself
		{open("."), "--out .: open .: file does not exist"},
		{fmt.Errorf("--points p.csv: %w", open("p.csv")), "--points p.csv: open p.csv: file does not exist"},
	} {
		if got := NameFile(fs, tc.err); got.Error() != tc.want {
			t.Errorf("NameFile(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
