// Package train runs the training loop of a score network: seeded batches,
// objective targets, an optimiser step with warm-up and clipping, EMA,
// atomic keep-last-N checkpoints with exact resume, NaN/Inf detection with
// a diagnostic, progress reports at a steady cadence, a loss-curve CSV, and
// graceful stop on context cancellation (SIGINT/SIGTERM in the CLI).
//
// The loop reaches the network only through the Engine interface, so a
// different backend (e.g. a GPU one) can be plugged in without touching the
// SDE, objective or sampler code. Every random draw is keyed by (seed, step,
// sample index), so a resumed run follows the same trajectory as an
// uninterrupted one.
package train
