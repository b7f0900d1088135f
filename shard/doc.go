// Package shard splits one large run into N independent parts for the
// job-array engines that users already have (Slurm job arrays, Kubernetes
// Indexed Jobs), records what each part computed, and merges the parts
// into exactly what a single process would have written.
//
// It exists so that the commands share one definition of a shard: which
// rows a shard owns (Spec.Range), how a shard is chosen from the engine's
// environment (Resolve), when a finished shard may be skipped (Done), and
// which shards belong together (Manifest, Merge). The samplers key every
// random number by the sample index (package rng), so a shard draws its
// rows exactly as the single run does (docs/scale.md).
package shard
