// Package objective turns a forward SDE into training targets for a score
// network and back: denoising and hybrid score matching (DSM, HSM), the
// papers' score parameterisations (CLD's mixed score, PSLD's −L⁻ᵀε_θ, VP's
// −ε_θ/σ_t) or the full ε under gDDIM's R_t (sde.FactorR: s = −R_t⁻ᵀε_θ), the `eps` (λ = ℓ_t⁻², sample quality) and `ml` (λ = ½GGᵀ,
// likelihood) weightings, and importance sampling of t for `ml`.
//
// Everything here is float64 maths around a float32 network: Prepare builds
// a batch (network input u_t, time, target in output space, per-sample
// quadratic loss coefficients), Loss evaluates the loss and its gradient with
// respect to the network output, and ScoreModel wraps a trained network as a
// score.Model for samplers and likelihood.
//
// Output-space formulation. For every SDE the score is affine in the network
// output o: s = P(t)·o + c(t, u). The conditional score s* of the kernel
// defines the output-space target o* = P⁻¹(s* − c), and
//
//	eps:  loss = ‖o − o*‖²                           (λ = ℓ_t⁻² for CLD, σ_t² for VP, ‖ε_θ − ε‖² for PSLD)
//	ml:   loss = ½ (s − s*)ᵀ GGᵀ (s − s*) = ½ (o − o*)ᵀ Pᵀ GGᵀ P (o − o*)
//
// summed over coordinates and averaged over the batch.
package objective
