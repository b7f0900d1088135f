// Package evaluate is phasespace's evaluation protocol with typed results
// (docs/results.md, docs/likelihood.md, docs/images.md):
//
//   - Samples compares 2-D samples with fresh draws of a toy data set by
//     energy distance, MMD², sliced W₂ and the mode metrics, each beside
//     its real-vs-real floor (an independent data draw of the sample size);
//   - NLL bounds the negative log-likelihood of fresh data points under a
//     score model through the probability-flow ODE, beside the data's own
//     NLL on the same points and its entropy where they are known;
//   - BPD gives bits per dimension of an image model on dequantised test
//     images;
//   - Features compares generated images with test images in the project
//     classifier's feature space (FD, KID, precision/recall, class-histogram
//     KL), beside the training-versus-test floor;
//   - Checkpoint runs the protocol that fits a trained model (NLL and sample
//     metrics for 2-D data, BPD and feature metrics for images) from a
//     CheckpointConfig; a *ConfigError marks the caller's input errors.
//
// WriteTable prints result fields as `phasespace eval` does, and Kernel
// reports an SDE's perturbation kernel as `phasespace kernel` does.
//
// Every random draw is keyed by the configured seed with rng.PurposeEval,
// as `phasespace eval` does, so the numbers equal the command's.
package evaluate
