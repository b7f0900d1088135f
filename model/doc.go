// Package model describes a training run of a phasespace score model, trains
// it and loads it back: the run description stored in every checkpoint
// (Meta: the forward SDE and its parameters, the objective, weighting, mixed
// score and score parameterisation, the data and its scaling, the network
// architecture and the optimiser settings), Setup and Train, which build
// every part of a run from a Config whose zero fields mean documented
// defaults, and Load, which rebuilds the process, objective, EMA network and
// score.Model of a checkpoint.
//
// The JSON of Meta is the "run" entry of the checkpoint metadata written by
// `phasespace train` (format version 1), so checkpoints written by either
// load with both.
package model
