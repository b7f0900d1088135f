// Package score defines the interface between score models (the exact
// Gaussian-mixture oracle, trained networks) and the code that consumes
// scores (samplers, likelihood, evaluation), so that neither side depends on
// the other's internals.
package score

// Model evaluates the score ∇_u log p_t(u) of the marginal density of a
// diffusion at forward time t, for a batch of states.
//
// A batch of n states is stored as x and v, each row-major n×Dim(); v is nil
// for order-1 processes (VP). Score writes ∇_x log p_t into sx and
// ∇_v log p_t into sv (nil for VP). A model whose SDE has no noise on x (CLD)
// may write zeros into sx: those components are multiplied by zero
// diffusion everywhere they are used.
//
// Implementations may use several goroutines internally; callers must not
// call Score concurrently on one Model unless the implementation says it is
// safe.
type Model interface {
	Dim() int
	Score(t float64, x, v, sx, sv []float64)
}

// Func adapts a function to Model.
type Func struct {
	D int
	F func(t float64, x, v, sx, sv []float64)
}

// Dim returns the data dimension.
func (f Func) Dim() int { return f.D }

// Score calls f.F.
func (f Func) Score(t float64, x, v, sx, sv []float64) { f.F(t, x, v, sx, sv) }

// VJPModel is a Model that can also form vector-Jacobian products of its
// score with respect to the state, as the likelihood's divergence needs.
type VJPModel interface {
	Model
	// ScoreVJP writes the score into sx, sv (as Score does) and the products
	// gᵀ = wᵀ ∂s/∂u per state into gx, gv, for row-major weights wx, wv
	// (v, sv, wv, gv nil for VP).
	ScoreVJP(t float64, x, v, wx, wv, sx, sv, gx, gv []float64)
}
