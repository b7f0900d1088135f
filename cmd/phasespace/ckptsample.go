package main

import (
	"fmt"

	"phasespace/sampler"
)

// sampleCheckpoint draws n samples from a trained model with the given
// sampler and NFE (empty / 0: the checkpoint's recommendation).
func sampleCheckpoint(lm *loadedModel, method string, nfe, n int, seed uint64) ([]float64, map[string]any, error) {
	if method == "" {
		method = lm.Meta.Sampler
	}
	if nfe == 0 {
		nfe = lm.Meta.NFE
	}
	m, err := sampler.ParseMethod(method)
	if err != nil {
		return nil, nil, usagef("--sampler: %v", err)
	}
	if err := checkFullScore(lm, m); err != nil {
		return nil, nil, err
	}
	if m != sampler.ODE && nfe < 2 {
		return nil, nil, usagef("--nfe = %d: want >= 2 for %s", nfe, method)
	}
	x, st, err := sampler.Sample(sampler.Config{Process: lm.Obj.Process, Model: lm.Score, Method: m, NFE: nfe, Seed: seed}, n)
	if err != nil {
		return nil, nil, fmt.Errorf("sampling %s: %w", lm.Dir, err)
	}
	return x, map[string]any{"sampler": method, "nfe": st.NFE, "seconds": st.Wall.Seconds()}, nil
}

// checkFullScore refuses --sampler gddim for a checkpoint whose network
// predicts only the velocity score (CLD, PSLD with Γ = 0): gDDIM forms
// ε = −K_tᵀs, which mixes ∇ₓ and ∇ᵥ (docs/samplers.md).
func checkFullScore(lm *loadedModel, m sampler.Method) error {
	d := lm.Score.Dim()
	if m == sampler.GDDIM && lm.Obj.Process.Order() == 2 && lm.Obj.OutDim(d) < lm.Obj.InDim(d) {
		return usagef("--sampler gddim needs the full score (ε = −K_tᵀs mixes ∇ₓ and ∇ᵥ), and checkpoint %s predicts only the %v velocity score: train with --param R", lm.Dir, lm.Obj.Process.Kind)
	}
	return nil
}
