// Package dataset serves the training and evaluation data of phasespace: the
// 2-D toy densities of package toy and the MNIST-style image sets of package
// imagedata, behind one Source that the training loop reads batch by batch.
//
// Every batch is a function of (seed, step) only: toy samples are drawn i.i.d.
// from the stream keyed by (seed, step); image batches walk a seeded random
// permutation per epoch and dequantise each pixel p as (p + u)/256 scaled to
// [−1, 1] with u ~ U[0, 1) keyed by (seed, step, row) (docs/images.md).
package dataset
