// Package toy generates the 2-D toy densities used to test and benchmark
// diffusion models (FFJORD's set plus CLD's diamond and multimodal Swiss
// roll), seeded and i.i.d.: sample i is drawn from its own random stream
// keyed by (seed, i), so it does not depend on how many samples are drawn.
// The Gaussian mixtures (8gaussians, diamond, gaussian) are exposed as
// mixture.Mixture values, and the mixtures and checkerboard have exact
// log-densities.
package toy
