// Package sampler draws samples from score-based diffusion models (VP-SDE,
// CLD, PSLD) by integrating the reverse-time dynamics of a sde.Process with a
// score.Model, behind one entry point (k-diffusion style):
//
//	x, stats, err := sampler.Sample(sampler.Config{Process: p, Model: m, Method: sampler.SSCS, NFE: 50}, n)
//
// Methods (reverse SDE and probability-flow ODE: Song et al. 2021, Eqs. 6
// and 13; SSCS: Dockhorn et al. 2022, §3.3, Pandey & Mandt 2023, Eq. 12):
//   - EM: Euler–Maruyama on the reverse SDE du = [−f + GGᵀs]dτ + G dW̄.
//   - SSCS: symmetric splitting (Strang, A/2 – S – A/2) with the exact
//     Gaussian propagator of the linear part A and an Euler step of the score
//     part S = βD(s + Σ∞⁻¹u). Implemented for CLD, PSLD and, analogously,
//     for the VP-SDE (there A is an Ornstein–Uhlenbeck step toward N(0, 1)).
//   - ODE: the probability-flow ODE du/dt = f − ½GGᵀs integrated with the
//     adaptive Dormand–Prince 5(4) solver of package ode.
//   - GDDIM: the same ODE by gDDIM's exponential-integrator multistep
//     method (Zhang, Tao & Chen 2023): the linear drift exact through
//     Ψ(t, s), ε̂ = −K_tᵀs (K = R_t of sde.RFactor, or the Cholesky factor)
//     extrapolated by a Lagrange polynomial of order 1–3 (docs/samplers.md).
//
// Time grid, NFE accounting and denoising follow the reference codes
// (docs/samplers.md, Semantics): with denoising (the default) NFE = N means N−1 steps on
// τ_k = linspace(0, 1−ε, N) (uniform) or the quadratic grid, then one
// deterministic Euler step of the reverse-SDE drift from forward time ε to
// 0; the ODE's NFE is whatever the solver used, plus one for denoising.
//
// The prior is the process's stationary law; every random number is keyed
// by (seed, sample index, step) through package rng, so sample i of EM,
// SSCS and GDDIM is bit-identical whatever the batch size or the number of
// cores.
// The ODE integrates the batch jointly (as torchdiffeq and scipy do in the
// reference codes), so its step sizes, and hence sample i to within the
// solver tolerance, depend on the batch.
//
// SampleChunks draws a large n in chunks on a global grid of a fixed batch
// size, so that memory does not grow with n; EM, SSCS and GDDIM give the
// same bits for every batch, the ODE for one batch (docs/scale.md).
package sampler
