package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"phasespace/train"
)

// The run: a learning rate of 1e6 without clipping blows up within
// a few steps. The step the error names is the first one loss.csv does not
// hold, and the diagnostic's file name and "step" field name the same one.
func TestDivergedTrainingNamesTheFirstStepMissingFromLossCSV(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runCLI(t, "train", "--data", "8gaussians", "--sde", "cld", "--steps", "500", "--hidden", "64", "--layers", "2",
		"--lr", "1e6", "--clip", "0", "--out", dir, "--quiet")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a runtime failure): %s", code, errs)
	}
	steps, _, _, err := train.ReadCurve(filepath.Join(dir, "loss.csv"))
	if err != nil {
		t.Fatal(err)
	}
	next := len(steps) + 1
	if len(steps) > 0 && steps[len(steps)-1] != float64(len(steps)) {
		t.Fatalf("loss.csv's last row is step %v after %d rows", steps[len(steps)-1], len(steps))
	}
	if !strings.Contains(errs, fmt.Sprintf("phasespace train: step %d: ", next)) || !strings.Contains(errs, "--skip-bad-batches") {
		t.Fatalf("loss.csv holds steps 1..%d, so the failure is step %d; the error says %q", len(steps), next, errs)
	}
	raw, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("diagnostic-step-%d.json", next)))
	if err != nil {
		t.Fatalf("diagnostic of step %d: %v", next, err)
	}
	var diag struct {
		Step int `json:"step"`
	}
	if err := json.Unmarshal(raw, &diag); err != nil || diag.Step != next {
		t.Fatalf("diagnostic says step %d (%v), want %d", diag.Step, err, next)
	}
}
