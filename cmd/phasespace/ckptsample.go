package main

import (
	"errors"
	"fmt"

	"phasespace/dataset"

	"phasespace/model"
	"phasespace/sampler"
)

// loadCheckpoint reads a checkpoint with model.Load, warning about newer
// checkpoints that failed verification.
func loadCheckpoint(dir string) (*model.Loaded, error) {
	m, err := model.Load(dir)
	if err != nil {
		return nil, err
	}
	for _, s := range m.Skipped {
		warnf("skipping checkpoint: %v", s)
	}
	return m, nil
}

// checkFullScore refuses --sampler gddim for a checkpoint whose network
// predicts only the velocity score (model.Loaded.CheckSampler).
func checkFullScore(lm *model.Loaded, m sampler.Method) error {
	if err := lm.CheckSampler(m); errors.Is(err, model.ErrVelocityOnly) {
		return usagef("--sampler gddim needs the full score (ε = −K_tᵀs mixes ∇ₓ and ∇ᵥ), and checkpoint %s predicts only the %v velocity score: train with --param R", lm.Dir, lm.Process.Kind)
	}
	return nil
}

// writeSamplesCSV writes n×d samples with dataset.WriteCSV, naming --out
// in errors.
func writeSamplesCSV(path string, x []float64, d int) error {
	if err := dataset.WriteCSV(path, x, d); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}
