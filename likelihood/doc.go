// Package likelihood computes negative log-likelihoods (nats) and bits per
// dimension through the probability-flow ODE of a diffusion,
//
//	du/dt = f̃(u, t) = β(t)A u − ½GGᵀ(t) s(u, t),
//	log p_ε(u_ε) = log p_T(u_T) + ∫_ε^T ∇·f̃(u_t, t) dt,
//
// integrated forward from the likelihood epsilon (default 1e-5) to T jointly
// with the divergence, by an adaptive embedded Runge–Kutta solver. The
// divergence is exact (one vector-Jacobian product per state coordinate) or
// Hutchinson's estimate εᵀ(∂f̃/∂u)ε with K Rademacher or Gaussian probes per
// sample, drawn once per solve from the seed.
//
// For CLD and PSLD the data live in x only; with q = N(0, γM·I_d) for the
// initial velocity,
//
//	−log p(x) ≤ E_{v₀~q}[−log p(x, v₀)] − H(q)                    (K = 1)
//	−log p(x) ≤ −log (1/K) Σ_k p(x, v₀ₖ)/q(v₀ₖ)                   (importance-weighted)
//
// and the importance-weighted bound tightens toward −log p(x) as K grows
// (the reference code declared this option but never implemented it).
package likelihood
