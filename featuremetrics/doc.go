// Package featuremetrics compares two sets of feature vectors (e.g. the
// penultimate activations of the project's own image classifier for real and
// generated images): Fréchet distance (FD; with an in-repo classifier this
// is not Inception FID and must not be called so), kernel distance (KID,
// cubic polynomial kernel, unbiased, over random subsets), improved
// precision and recall (k-NN manifolds), and the KL divergence between
// predicted-class histograms.
package featuremetrics
