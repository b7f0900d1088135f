package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The image benchmark end to end on tiny synthetic images: both SDEs are
// trained to the budget, every applicable sampler column gets a row and a
// grid, SSCS is skipped for VP, and a rerun reuses every finished piece.
func TestImageBenchOnSyntheticIDX(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two U-Nets and a classifier (~20 s); skipped with -short")
	}
	data := writeSyntheticIDX(t, 12, 600, 200)
	out := t.TempDir()
	args := []string{"imagebench", "--data", data, "--downsample=false", "--sdes", "vp,cld", "--budget", "1s",
		"--channels", "8,16", "--batch", "16", "--samplers", "sscs:6,em:6,ode:1e-2", "--n", "24", "--bpd-n", "2", "--out", out}
	code, stdout, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"| real | train vs test |", "| vp | em-6 | 6 |", "| vp | ode-rtol1e-02 |", "| cld | sscs-6 | 6 |", "| cld | em-6 | 6 |", "| cld | ode-rtol1e-02 |"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no row %q in\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "| vp | sscs") {
		t.Errorf("SSCS row for VP:\n%s", stdout)
	}
	for _, g := range []string{"real.png", "vp-em-6.png", "cld-sscs-6.png", "cld-ode-rtol1e-02.png"} {
		if _, err := os.Stat(filepath.Join(out, "grids", g)); err != nil {
			t.Errorf("grid: %v", err)
		}
	}
	code, again, errs := runCLI(t, args...)
	if code != 0 || again != stdout {
		t.Fatalf("rerun: exit %d (%s); table changed:\n%s\nvs\n%s", code, errs, again, stdout)
	}
	for _, bad := range [][]string{{"--samplers", "sscs"}, {"--samplers", "ode:2"}, {"--sdes", "ve"}, {"--budget", "0s"}, {"--data", "8gaussians"}} {
		a := append([]string{"imagebench", "--out", t.TempDir()}, bad...)
		if code, _, errs := runCLI(t, a...); code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", bad, code, errs)
		}
	}
}

// The gDDIM columns of the benchmark: --param R trains CLD to predict the
// full ε, --steps caps training below the budget, and a gddim column of an
// L-parameterised CLD (velocity score only) is refused with the flag to use.
func TestImageBenchGDDIMColumnsNeedParamR(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two small U-Nets and a classifier (~15 s); skipped with -short")
	}
	data := writeSyntheticIDX(t, 12, 600, 200)
	cls := filepath.Join(t.TempDir(), "classifier.safetensors")
	common := []string{"imagebench", "--data", data, "--downsample=false", "--sdes", "cld", "--budget", "10m", "--steps", "4",
		"--channels", "8,16", "--batch", "16", "--samplers", "gddim:6,sscs:6", "--n", "24", "--bpd-n", "2"}
	out := t.TempDir()
	code, stdout, errs := runCLI(t, append(common, "--param", "R", "--out", out)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"| cld | 4 |", "| cld | gddim-6 | 6 |", "| cld | sscs-6 | 6 |"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("no %q in\n%s", want, stdout)
		}
	}
	if err := os.Rename(filepath.Join(out, "classifier.safetensors"), cls); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCLI(t, append(common, "--classifier", cls, "--out", t.TempDir())...)
	if code != 2 || !strings.Contains(errs, "--param R") {
		t.Errorf("gddim column of a --param L CLD: exit %d, %s; want 2 and the --param R hint", code, errs)
	}
}
