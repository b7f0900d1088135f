package main

import (
	"strings"
	"testing"
)

// --resume refuses every setting that the run cannot reproduce, in one
// message naming each changed flag with its stored and its given value, and
// leaves the checkpoint as it was; the settings listed as resumable
// (train -h, docs/reliability.md) may change.
func TestResumeRefusesChangedSettings(t *testing.T) {
	dir := t.TempDir()
	base := []string{"train", "--data", "8gaussians", "--sde", "cld", "--m-inv", "4", "--steps", "4", "--batch", "16",
		"--hidden", "8", "--layers", "1", "--quiet", "--out", dir}
	if code, _, errs := runCLI(t, base...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errs)
	}
	with := func(over ...string) []string {
		a := append(append([]string{}, base...), "--resume")
		return append(a, over...)
	}
	// The case: two changes, both listed with stored and given values.
	code, _, errs := runCLI(t, with("--data", "moons", "--m-inv", "1")...)
	if code != 2 || !strings.Contains(errs, "--data: stored 8gaussians, given moons") || !strings.Contains(errs, "--m-inv: stored 4, given 1") {
		t.Fatalf("--data moons --m-inv 1: exit %d, %s", code, errs)
	}
	for _, c := range []struct {
		over []string
		want string
	}{
		{[]string{"--objective", "dsm"}, "--objective: stored hsm, given dsm"},
		{[]string{"--weighting", "ml"}, "--weighting: stored eps, given ml"},
		{[]string{"--lr", "0.01"}, "--lr: stored 0.001, given 0.01"},
		{[]string{"--batch", "32"}, "--batch: stored 16, given 32"},
		{[]string{"--sde", "psld"}, "--sde: stored cld, given psld"},
		{[]string{"--sde", "vp"}, "--sde: stored cld, given vp"},
		{[]string{"--beta0", "5"}, "--beta0: stored 4, given 5"},
		{[]string{"--gamma", "0.05"}, "--gamma: stored 0.04, given 0.05"},
		{[]string{"--numerical-eps", "1e-7"}, "--numerical-eps: stored 1e-06, given 1e-07"},
		{[]string{"--mixed-score=false"}, "--mixed-score: stored true, given false"},
		{[]string{"--param", "R"}, "--param: stored L, given R"},
		{[]string{"--loss-eps", "1e-3"}, "--loss-eps: stored 1e-05, given 0.001"},
		{[]string{"--hidden", "16"}, "--hidden: stored 8, given 16"},
		{[]string{"--layers", "2"}, "--layers: stored 1, given 2"},
		{[]string{"--input-fourier", "4"}, "--input-fourier: stored 0, given 4"},
		{[]string{"--seed", "3"}, "--seed: stored 0, given 3"},
		{[]string{"--warmup", "2"}, "--warmup: stored 0, given 2"},
		{[]string{"--lr-decay", "cosine"}, "--lr-decay: stored none, given cosine"},
		{[]string{"--clip", "2"}, "--clip: stored 1, given 2"},
		{[]string{"--ema", "0.99"}, "--ema: stored 0.999, given 0.99"},
	} {
		a := with(c.over...)
		// A psld/vp run does not take --m-inv 4 from base: drop it.
		if c.over[0] == "--sde" {
			a = append(append(append([]string{}, base[:5]...), base[7:]...), append([]string{"--resume"}, c.over...)...)
		}
		code, _, errs := runCLI(t, a...)
		if code != 2 || !strings.Contains(errs, c.want) || !strings.Contains(errs, "--time-budget") {
			t.Errorf("%v: exit %d, %s (want exit 2 and %q)", c.over, code, errs, c.want)
		}
	}
	lm, err := loadCheckpoint(dir)
	if err != nil || lm.Step != 4 || lm.Meta.Data != "8gaussians" || lm.Meta.SDE.MInv != 4 {
		t.Fatalf("after refused resumes the checkpoint changed: %+v %v", lm, err)
	}
	// Resumable settings: more steps, a time budget, another checkpoint
	// cadence, keep count and progress, skipping bad batches.
	ok := with("--steps", "6", "--time-budget", "1h", "--ckpt-every", "1", "--keep", "2", "--skip-bad-batches", "--quiet=false", "--progress-every", "1h")
	if code, _, errs := runCLI(t, ok...); code != 0 {
		t.Fatalf("resumable changes: exit %d, %s", code, errs)
	}
	if lm, err := loadCheckpoint(dir); err != nil || lm.Step != 6 || lm.Meta.Steps != 6 {
		t.Fatalf("after resuming to 6 steps: %+v %v", lm, err)
	}
}

// Under --lr-decay cosine the schedule of every step depends on --steps, so
// a resume may not change it.
func TestResumeRefusesOtherStepsUnderCosineDecay(t *testing.T) {
	dir := t.TempDir()
	base := []string{"train", "--data", "8gaussians", "--steps", "3", "--batch", "16", "--hidden", "8", "--layers", "1",
		"--lr-decay", "cosine", "--quiet", "--out", dir}
	if code, _, errs := runCLI(t, base...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errs)
	}
	a := append(append([]string{}, base...), "--resume", "--steps", "5")
	if code, _, errs := runCLI(t, a...); code != 2 || !strings.Contains(errs, "--steps: stored 3, given 5") {
		t.Fatalf("--steps 5 under cosine decay: exit %d, %s", code, errs)
	}
}

// PSLD's parameters are named by their own flags on a refused resume.
func TestResumeRefusesChangedPSLDParameters(t *testing.T) {
	dir := t.TempDir()
	base := []string{"train", "--data", "8gaussians", "--sde", "psld", "--steps", "2", "--batch", "16", "--hidden", "8", "--layers", "1", "--quiet", "--out", dir}
	if code, _, errs := runCLI(t, base...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errs)
	}
	a := append(append([]string{}, base...), "--resume", "--nu", "3", "--Gamma", "0.5")
	code, _, errs := runCLI(t, a...)
	if code != 2 || !strings.Contains(errs, "--nu: stored 4.01, given 3") || !strings.Contains(errs, "--Gamma: stored 0.01, given 0.5") {
		t.Fatalf("psld --nu 3 --Gamma 0.5: exit %d, %s", code, errs)
	}
}

// A resumed run keeps the settings it was started with where the command
// line does not give them: `--out D --resume --steps N` continues a run
// started with non-default settings (here --param R, a small MLP, another
// lr and seed) instead of refusing the defaults of the flags left out.
func TestResumeKeepsStoredSettingsNotGiven(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "train", "--data", "moons", "--sde", "cld", "--param", "R", "--steps", "4", "--batch", "16",
		"--hidden", "8", "--layers", "1", "--lr", "0.002", "--seed", "7", "--quiet", "--out", dir); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errs)
	}
	if code, _, errs := runCLI(t, "train", "--out", dir, "--resume", "--steps", "6", "--quiet"); code != 0 {
		t.Fatalf("resume with only --out --resume --steps: exit %d: %s", code, errs)
	}
	lm, err := loadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := lm.Meta; lm.Step != 6 || m.Data != "moons" || m.Param != "R" || m.LR != 0.002 || m.Seed != 7 || m.Batch != 16 {
		t.Errorf("resumed run: step %d, data %s, param %s, lr %v, seed %d, batch %d; want 6, moons, R, 0.002, 7, 16",
			lm.Step, m.Data, m.Param, m.LR, m.Seed, m.Batch)
	}
	// A setting given on the command line is still compared, and refused.
	if code, _, errs := runCLI(t, "train", "--out", dir, "--resume", "--steps", "8", "--lr", "0.01", "--quiet"); code != 2 ||
		!strings.Contains(errs, "--lr: stored 0.002, given 0.01") {
		t.Errorf("resume with --lr 0.01: exit %d, %s", code, errs)
	}
}
