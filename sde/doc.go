// Package sde implements the linear forward SDEs of score-based generative
// modelling in phase space, in float64: the VP-SDE (Song et al. 2021),
// critically-damped Langevin diffusion (CLD, Dockhorn et al. 2022) and phase
// space Langevin diffusion (PSLD, Pandey & Mandt 2023).
//
// All three are instances of one description, per data coordinate,
//
//	du = β(t)·A·u dt + G(t) dW,   G(t)G(t)ᵀ = β(t)·D,   β(t) = β₀ + β₁t,
//
// with a constant 2×2 drift matrix A acting on u = (x, v) (for VP only the x
// entry is used). Only B(t) = ∫₀ᵗβ enters the perturbation kernels: the mean
// propagator is Φ(t) = exp(B(t)·A), computed in closed form for all three
// damping regimes, and the covariance is
//
//	Σ_t = Φ Σ₀ Φᵀ + ∫₀^{B(t)} e^{rA} D e^{rAᵀ} dr = Σ∞ + Φ(Σ₀ − Σ∞)Φᵀ,
//
// evaluated by Gauss–Legendre quadrature of the integral for small B (which
// avoids the cancellation of the Lyapunov form as t → 0) and by the Lyapunov
// form otherwise. No factor that overflows is multiplied by one that
// underflows (see Expm), so kernels, split steps and Cholesky factors are
// finite for every finite B ≥ 0 and tend to Φ = 0, Σ = Σ∞ (docs/method.md).
// The papers' hand-expanded closed forms are provided as well
// (CLDCovariance, PSLDCovariance, regrouped to avoid the same overflow);
// tests hold all of them to each other, to independently computed
// reference values (docs/method.md, Reference values), to an RK4 solution of the moment ODEs and to a 512-bit reference
// for B from 1e-12 to 1e6.
//
// The reverse-time dynamics that samplers and the likelihood integrate are
// methods of the same description: Process.ReverseDrift, the drift
// β(A u − D s) of the reverse SDE (Anderson 1982; Song et al. 2021, Eq. 6),
// and Process.ProbabilityFlowDrift, the drift β(A u − ½D s) of the
// probability-flow ODE (Song et al. 2021, Eq. 13), with s the score.
//
// The numerical epsilon that the reference implementations add to the
// diagonal of the kernel covariance is explicit (Process.NumericalEps) and
// applied only by Process.Kernel, never hidden inside Process.Cov.
package sde
