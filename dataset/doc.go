// Package dataset serves the training and evaluation data of phasespace: the
// 2-D toy densities of package toy, the MNIST-style image sets of package
// imagedata and point files (CSV, NPY) of any dimension, behind one Source
// that the training loop reads batch by batch.
//
// Every batch is a function of (seed, step) only: toy samples are drawn i.i.d.
// from the stream keyed by (seed, step); image batches walk a seeded random
// permutation per epoch and dequantise each pixel p as (p + u)/256 scaled to
// [−1, 1] with u ~ U[0, 1) keyed by (seed, step, row) (docs/images.md);
// point-file batches walk a seeded permutation of the standardised training
// rows per epoch, after a seeded held-out split (docs/data.md).
package dataset
