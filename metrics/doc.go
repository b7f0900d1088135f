// Package metrics compares samples with data in low dimension (the 2-D toy
// sets): energy distance, unbiased multi-scale RBF MMD², sliced Wasserstein-2
// and the Gaussian-mixture mode metrics of the VEEGAN protocol, exactly as
// data-and-metrics §5.2 and §6(b) define them, so the spec's noise floors
// apply. Samples are row-major n×d float64 slices.
package metrics
