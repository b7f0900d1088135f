// Package metrics compares samples with data in low dimension (the 2-D toy
// sets): energy distance, unbiased multi-scale RBF MMD², sliced Wasserstein-2
// and the Gaussian-mixture mode metrics of the VEEGAN protocol (Srivastava
// et al. 2017), exactly as docs/metrics.md (Sample metrics) defines them, so
// the real-vs-real noise floors of docs/metrics.md (Noise floors and test
// thresholds) apply. Samples are row-major n×d float64 slices (n points of
// dimension d); ED and SW2 are in data units, MMD² is unitless.
package metrics
