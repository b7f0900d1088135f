package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"phasespace/model"
	"phasespace/sde"
	"phasespace/train"
)

// A CLD model with --param R (the full ε under R_t, both parts) learns on
// 8gaussians: over 300 steps the EMA loss ends well below the first steps'
// loss (≈ 4 = E‖ε‖² over the 2d outputs for an untrained network; it
// reaches ≈ 1.2 with these settings, the last 30 raw losses ≈ 0.7). The
// checkpoint records R, reloads as R with a 4 → 4 network and a full score,
// and samples.
func TestTrainParamRLearnsAndReloads(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runCLI(t, "train", "--data", "8gaussians", "--sde", "cld", "--param", "R", "--steps", "300", "--batch", "128",
		"--hidden", "64", "--layers", "2", "--lr", "3e-3", "--ckpt-every", "0", "--quiet", "--out", dir)
	if code != 0 {
		t.Fatalf("train --param R: exit %d: %s", code, errs)
	}
	_, loss, ema, err := train.ReadCurve(filepath.Join(dir, "loss.csv"))
	if err != nil || len(loss) != 300 {
		t.Fatalf("curve: %d rows, %v", len(loss), err)
	}
	first, last := 0.0, 0.0
	for i := 0; i < 30; i++ {
		first += loss[i] / 30
		last += loss[len(loss)-1-i] / 30
	}
	if !(ema[len(ema)-1] < 0.6*first) || !(last < 0.5*first) {
		t.Fatalf("loss did not fall: first 30 steps %v, last 30 %v, final EMA %v", first, last, ema[len(ema)-1])
	}
	lm, err := loadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if lm.Meta.Param != "R" || lm.Objective.EffectiveParam() != sde.FactorR || !lm.Objective.FullScore() || lm.Objective.MixedScore ||
		lm.Net.InDim() != 4 || lm.Net.OutDim() != 4 {
		t.Fatalf("reloaded: param %q (%v), full score %v, mixed %v, network %d→%d", lm.Meta.Param, lm.Objective.EffectiveParam(),
			lm.Objective.FullScore(), lm.Objective.MixedScore, lm.Net.InDim(), lm.Net.OutDim())
	}
	if code, _, errs := runCLI(t, "sample", "--ckpt", dir, "--n", "64", "--nfe", "20", "--out", filepath.Join(dir, "s.csv")); code != 0 {
		t.Fatalf("sample from a --param R checkpoint: exit %d: %s", code, errs)
	}
}

// Checkpoints written before --param existed have no "param" in their run
// metadata: they load as L, and resuming them with the default --param L is
// no change, while --param R is refused; a recorded R is restored.
func TestParamMetadataDefaultsToL(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "train", "--data", "8gaussians", "--sde", "cld", "--steps", "2", "--batch", "8", "--hidden", "8",
		"--layers", "1", "--quiet", "--out", dir); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	lm, err := loadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if lm.Meta.Param != "L" {
		t.Fatalf("recorded param %q, want L", lm.Meta.Param)
	}
	old := lm.Meta
	old.Param = ""
	raw, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), `"param"`) {
		t.Fatalf("metadata without a param still writes one: %s", raw)
	}
	var back model.Meta
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	oc, err := back.ObjectiveConfig()
	if err != nil || oc.EffectiveParam() != sde.FactorL || !oc.MixedScore {
		t.Fatalf("old metadata: %+v, %v", oc, err)
	}
	if ch := model.ResumeChanges(back, lm.Meta); len(ch) != 0 {
		t.Errorf("old metadata resumed with --param L: changes %v", ch)
	}
	given := lm.Meta
	given.Param, given.MixedScore = "R", false
	if ch := model.ResumeChanges(back, given); !strings.Contains(fmt.Sprint(ch), "param: stored L, given R") {
		t.Errorf("old metadata resumed with --param R: changes %v", ch)
	}
	withR := lm.Meta
	withR.Param, withR.MixedScore = "R", false
	if oc, err := withR.ObjectiveConfig(); err != nil || oc.EffectiveParam() != sde.FactorR {
		t.Errorf("metadata with param R: %+v, %v", oc, err)
	}
	bad := lm.Meta
	bad.Param = "Q"
	if _, err := bad.ObjectiveConfig(); err == nil {
		t.Errorf("metadata with param Q accepted")
	}
}
