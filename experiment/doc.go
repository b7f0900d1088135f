// Package experiment runs phasespace's two benchmark protocols as library
// calls that build their configurations directly:
//
//   - Grid trains one 2-D model per (data set, SDE, objective) at a fixed
//     step budget and tabulates NLL, MMD² and energy distance beside their
//     references (docs/results.md);
//   - ImageBench trains VP, CLD and PSLD U-Nets at the same wall-clock budget
//     and tabulates bits/dim and, per sampler column, FD, KID,
//     precision/recall and class KL in the project classifier's feature
//     space beside the training-versus-test floor (docs/images.md).
//
// Both resume: finished cells and cached evaluations in the output
// directory are reused, so an interrupted run continues where it stopped.
// The files they write are those of `phasespace results` and
// `phasespace imagebench`.
package experiment
