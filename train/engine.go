package train

import (
	"encoding/json"

	"phasespace/objective"
)

// Engine is what the training loop needs from a network implementation and
// its optimiser state.
type Engine interface {
	// Forward evaluates the training network (input batch×InDim, one time
	// per row); train enables dropout, keyed by the step.
	Forward(input, t []float32, batch int, train bool) []float32
	// Backward accumulates parameter gradients from ∂loss/∂output of the
	// last Forward; gradients are zeroed by Step.
	Backward(gradOut []float32)
	// GradNorm returns the global L2 norm of the accumulated gradients
	// (NaN or Inf if any gradient is not finite). Run calls it while
	// another goroutine prepares the next batch (the data source and the
	// objective only), so it must not touch those.
	GradNorm() float64
	// Step clips gradients to the given global norm (0: no clipping),
	// applies one optimiser update at learning rate lr, updates the EMA and
	// zeroes the gradients. step is the 0-based index of this update.
	Step(step int64, lr, clip float64)
	// SkipStep zeroes the gradients without updating anything.
	SkipStep()
	// EMA returns the network with EMA weights, for sampling and evaluation.
	EMA() objective.Network
	// Live returns the network with the current (non-EMA) weights.
	Live() objective.Network
	// State serialises weights, EMA weights and optimiser state as named
	// files (e.g. safetensors); Restore loads them back exactly.
	State() (map[string][]byte, error)
	Restore(files map[string][]byte) error
	// Architecture describes the network so that it can be rebuilt.
	Architecture() json.RawMessage
}
