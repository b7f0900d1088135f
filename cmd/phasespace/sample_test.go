package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"phasespace/dataset"
	"phasespace/exact"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/toy"
)

// TestSampleCommandMatchesLibrary: the CSV holds exactly what
// sampler.Sample returns for the same configuration, at full precision, and
// the summary names the NFE actually used.
func TestSampleCommandMatchesLibrary(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "s.csv")
	code, out, errs := runCLI(t, "sample", "--exact", "8gaussians", "--sde", "psld", "--sampler", "sscs", "--nfe", "30",
		"--n", "50", "--seed", "7", "--striding", "quadratic", "--out", csv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "30 NFE") || !strings.Contains(out, "quadratic") {
		t.Errorf("summary %q does not name the NFE used and the striding", out)
	}
	x, d, err := dataset.ReadCSV(csv)
	if err != nil || d != 2 || len(x) != 100 {
		t.Fatalf("read back %d values of dim %d: %v", len(x), d, err)
	}
	p, _ := sde.NewPSLD(sde.DefaultPSLD())
	mix, _ := toy.Mixture("8gaussians")
	o, _ := exact.New(p, mix)
	want, _, err := sampler.Sample(sampler.Config{Process: p, Model: o, Method: sampler.SSCS, NFE: 30, Seed: 7, Striding: sampler.Quadratic}, 50)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if x[i] != want[i] {
			t.Fatalf("value %d: CLI %v, library %v", i, x[i], want[i])
		}
	}
}

func TestSampleCommandODEAndPNGs(t *testing.T) {
	dir := t.TempDir()
	png, traj := filepath.Join(dir, "s.png"), filepath.Join(dir, "t.png")
	code, out, errs := runCLI(t, "sample", "--exact", "diamond", "--sde", "cld", "--sampler", "ode", "--rtol", "1e-3", "--atol", "1e-3",
		"--n", "200", "--out", png, "--trajectories", traj)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "NFE (adaptive RK45, rtol 0.001") {
		t.Errorf("summary %q does not report the ODE's NFE and tolerance", out)
	}
	for _, f := range []string{png, traj} {
		if b, err := os.ReadFile(f); err != nil || len(b) < 1000 || string(b[1:4]) != "PNG" {
			t.Errorf("%s: %d bytes, %v", f, len(b), err)
		}
	}
}

// TestSampleCommandGDDIM: --sampler gddim with --order and --param writes
// what sampler.Sample returns, and the summary names order, K and NFE.
func TestSampleCommandGDDIM(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "s.csv")
	code, out, errs := runCLI(t, "sample", "--exact", "diamond", "--sde", "cld", "--sampler", "gddim", "--order", "3", "--param", "L",
		"--nfe", "12", "--n", "40", "--seed", "3", "--striding", "quadratic", "--out", csv)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "12 NFE") || !strings.Contains(out, "order 3, K = L") {
		t.Errorf("summary %q does not name the NFE, order and K", out)
	}
	x, _, err := dataset.ReadCSV(csv)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := sde.NewCLD(sde.DefaultCLD())
	mix, _ := toy.Mixture("diamond")
	o, _ := exact.New(p, mix)
	want, _, err := sampler.Sample(sampler.Config{Process: p, Model: o, Method: sampler.GDDIM, NFE: 12, Seed: 3, Striding: sampler.Quadratic, Order: 3, Param: sde.FactorL}, 40)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if x[i] != want[i] {
			t.Fatalf("value %d: CLI %v, library %v", i, x[i], want[i])
		}
	}
}

// TestSampleCommandGDDIMCheckpoints: a CLD checkpoint predicts only the
// velocity score and is refused by gddim (usage error naming --param R); a
// PSLD checkpoint with Γ > 0 predicts the full score and is accepted.
func TestSampleCommandGDDIMCheckpoints(t *testing.T) {
	for _, c := range []struct {
		sde  string
		code int
	}{{"cld", 2}, {"psld", 0}} {
		dir := t.TempDir()
		if code, _, errs := runCLI(t, "train", "--data", "diamond", "--sde", c.sde, "--steps", "3", "--batch", "16", "--hidden", "8",
			"--layers", "2", "--quiet", "--out", dir); code != 0 {
			t.Fatalf("%s: train: exit %d: %s", c.sde, code, errs)
		}
		code, _, errs := runCLI(t, "sample", "--ckpt", dir, "--sampler", "gddim", "--nfe", "4", "--n", "8", "--out", filepath.Join(dir, "s.csv"))
		if code != c.code || (c.code == 2 && !strings.Contains(errs, "train with --param R")) {
			t.Errorf("sample, %s checkpoint: exit %d, stderr %q (want %d)", c.sde, code, errs, c.code)
		}
		code, _, errs = runCLI(t, "eval", "--ckpt", dir, "--sampler", "gddim", "--nfe", "4", "--n", "8", "--metrics", "mmd")
		if code != c.code || (c.code == 2 && !strings.Contains(errs, "train with --param R")) {
			t.Errorf("eval, %s checkpoint: exit %d, stderr %q (want %d)", c.sde, code, errs, c.code)
		}
	}
}

func TestSampleCommandUsageErrors(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "s.csv")
	base := []string{"sample", "--exact", "diamond", "--out", csv}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--sampler", "heun"}, "--sampler \"heun\": valid are em, sscs, ode"},
		{[]string{"--nfe", "1"}, "--nfe = 1: want 2..1000000"},
		{[]string{"--nfe", "0", "--no-denoise"}, "--nfe = 0: want 1..1000000"},
		{[]string{"--sampler", "ode", "--nfe", "10"}, "--nfe does not apply to --sampler ode"},
		{[]string{"--sampler", "ode", "--rtol", "0"}, "--rtol = 0: want a value in (0, 1)"},
		{[]string{"--sampler", "ode", "--atol", "2"}, "--atol = 2"},
		{[]string{"--sampler", "em", "--rtol", "1e-3"}, "--rtol does not apply to --sampler em: it applies only to --sampler ode"},
		{[]string{"--sampler", "em", "--sscs-score", "start"}, "--sscs-score does not apply to --sampler em: it applies only to --sampler sscs"},
		{[]string{"--sampler", "em", "--sscs-beta", "first-half"}, "--sscs-beta does not apply to --sampler em: it applies only to --sampler sscs"},
		{[]string{"--sscs-score", "end"}, "--sscs-score \"end\": valid are midpoint, start"},
		{[]string{"--sscs-beta", "twice"}, "--sscs-beta \"twice\": valid are per-half, first-half"},
		{[]string{"--striding", "cubic"}, "--striding \"cubic\": valid are uniform, quadratic"},
		{[]string{"--eps", "0"}, "--eps = 0: want a value > 0"},
		{[]string{"--eps", "-1"}, "--eps = -1: want a value in (0, 1)"},
		{[]string{"--eps", "1"}, "--eps = 1"},
		{[]string{"--n", "0"}, "--n = 0"},
		{[]string{"--sde", "ve"}, "--sde"},
		{[]string{"--trajectories", "x.svg"}, "--trajectories \"x.svg\": want a .png"},
		{[]string{"--ckpt", "/nonexistent"}, "not both"},
		{[]string{"--sampler", "em", "--order", "2"}, "--order does not apply to --sampler em: it applies only to --sampler gddim"},
		{[]string{"--param", "L"}, "--param does not apply to --sampler sscs: it applies only to --sampler gddim"},
		{[]string{"--sampler", "gddim", "--order", "4"}, "--order = 4: want 1, 2 or 3"},
		{[]string{"--sampler", "gddim", "--param", "Q"}, "--param \"Q\": valid are R, L"},
		{[]string{"--sampler", "gddim", "--nfe", "1"}, "--nfe = 1: want 2..1000000"},
	} {
		code, _, errs := runCLI(t, append(append([]string{}, base...), c.args...)...)
		if code != 2 || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stderr %q (want 2 and %q)", c.args, code, errs, c.msg)
		}
	}
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"sample", "--out", csv}, "--exact NAME"},
		{[]string{"sample", "--exact", "moons", "--out", csv}, "--exact \"moons\""},
		{[]string{"sample", "--exact", "diamond"}, "--out is required"},
		{[]string{"sample", "--ckpt", t.TempDir(), "--sde", "vp", "--out", csv}, "--sde does not apply with --ckpt"},
		{[]string{"sample", "--ckpt", t.TempDir(), "--beta0", "2", "--out", csv}, "--beta0 does not apply with --ckpt"},
	} {
		code, _, errs := runCLI(t, c.args...)
		if code != 2 || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, stderr %q (want 2 and %q)", c.args, code, errs, c.msg)
		}
	}
}

// --out into a directory that does not exist fails before any sampling, with
// a message naming the directory (not a temporary file), and creates nothing.
func TestSampleOutMissingDirFailsBeforeSampling(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	code, stdout, errs := runCLI(t, "sample", "--exact", "diamond", "--n", "10", "--nfe", "20", "--out", filepath.Join(dir, "x.csv"))
	if code != 1 || !strings.Contains(errs, "directory "+dir+" does not exist (nothing was sampled)") || strings.Contains(errs, ".tmp-") || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and the missing directory named before sampling", code, stdout, errs)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("%s was created", dir)
	}
}
