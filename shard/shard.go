package shard

import (
	"fmt"
	"strconv"
	"strings"
)

// Spec is shard Index of Count (0 ≤ Index < Count). The zero Spec means
// no sharding: the whole run in one process.
type Spec struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// MaxCount bounds the number of shards (Slurm's default MaxArraySize).
const MaxCount = 1000

// On reports whether s is a shard of a split run (Count > 0).
func (s Spec) On() bool { return s.Count > 0 }

// String returns "i/N", or "" for the zero Spec.
func (s Spec) String() string {
	if !s.On() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// Parse reads "i/N" with 0 ≤ i < N ≤ MaxCount; errors start with "shard:".
func Parse(text string) (Spec, error) { return parse(text, "shard:") }

// parse is Parse with errors led by lead (the flag's name).
func parse(text, lead string) (Spec, error) {
	a, b, ok := strings.Cut(text, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return Spec{}, fmt.Errorf("%s %q: want i/N, e.g. 0/4", lead, text)
	}
	return check(Spec{Index: i, Count: n}, lead+" "+text)
}

// check returns s, or the error, led by what, of an s outside
// 0 ≤ i < N ≤ MaxCount.
func check(s Spec, what string) (Spec, error) {
	if s.Count < 1 || s.Count > MaxCount || s.Index < 0 || s.Index >= s.Count {
		return Spec{}, fmt.Errorf("%s: shard %d of %d: want 0 ≤ i < N ≤ %d", what, s.Index, s.Count, MaxCount)
	}
	return s, nil
}

// Range returns the rows [lo, hi) of n that shard s owns: consecutive
// blocks of align rows (align 1: single rows) dealt as evenly as possible,
// shard i taking blocks ⌊iB/N⌋ … ⌊(i+1)B/N⌋−1 of the B = ⌈n/align⌉ blocks.
// The shards of a run partition 0…n−1 in order; a shard may be empty when
// N > B. The zero Spec owns all rows. align < 1 is taken as 1.
func (s Spec) Range(n, align int) (lo, hi int) {
	if !s.On() {
		return 0, n
	}
	align = max(align, 1)
	blocks := (n + align - 1) / align
	lo = min(n, s.Index*blocks/s.Count*align)
	hi = min(n, (s.Index+1)*blocks/s.Count*align)
	return lo, hi
}

// Environment variables that Resolve reads.
const (
	SlurmID    = "SLURM_ARRAY_TASK_ID"
	SlurmCount = "SLURM_ARRAY_TASK_COUNT"
	SlurmMin   = "SLURM_ARRAY_TASK_MIN"
	SlurmMax   = "SLURM_ARRAY_TASK_MAX"
	K8sIndex   = "JOB_COMPLETION_INDEX"
)

// Resolve chooses the shard of this process and says where it came from.
// An explicit text ("i/N") wins, with source "flag". Otherwise a Slurm
// array task gives index SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN (0 if
// MIN is unset) of SLURM_ARRAY_TASK_COUNT shards (or MAX − MIN + 1), with
// source "SLURM_ARRAY_TASK_ID"; a Kubernetes Indexed Job gives index
// JOB_COMPLETION_INDEX of count shards (count is required there: Kubernetes
// does not export the number of completions), with source
// "JOB_COMPLETION_INDEX". With none of these the zero Spec is returned
// (source ""); count without an engine index is an error, as are values
// that do not parse or lie outside 0 ≤ i < N ≤ MaxCount; each error
// starts with the flag (--shard for text, --shards for count) or the
// variable it is about. getenv is os.Getenv in a command (a map lookup in
// tests).
func Resolve(text string, count int, getenv func(string) string) (s Spec, source string, err error) {
	atoi := func(name string) (int, bool, error) {
		v := getenv(name)
		if v == "" {
			return 0, false, nil
		}
		i, err := strconv.Atoi(v)
		if err != nil {
			return 0, true, fmt.Errorf("%s = %q: want an integer", name, v)
		}
		return i, true, nil
	}
	if text != "" {
		s, err = parse(text, "--shard")
		if err == nil && count != 0 && count != s.Count {
			err = fmt.Errorf("--shard %s names %d shards and --shards is %d", text, s.Count, count)
		}
		return s, "flag", err
	}
	if id, ok, err := atoi(SlurmID); ok || err != nil {
		if err != nil {
			return Spec{}, SlurmID, err
		}
		lo, _, err1 := atoi(SlurmMin)
		n, hasN, err2 := atoi(SlurmCount)
		hi, hasHi, err3 := atoi(SlurmMax)
		if err := firstErr(err1, err2, err3); err != nil {
			return Spec{}, SlurmID, err
		}
		switch {
		case count != 0:
			n = count
		case !hasN && hasHi:
			n = hi - lo + 1
		case !hasN:
			return Spec{}, SlurmID, fmt.Errorf("%s is set but neither %s nor %s: give the shard count (--shards N)", SlurmID, SlurmCount, SlurmMax)
		}
		s, err := check(Spec{Index: id - lo, Count: n}, SlurmID+" "+getenv(SlurmID))
		return s, SlurmID, err
	}
	if id, ok, err := atoi(K8sIndex); ok || err != nil {
		if err == nil && count == 0 {
			err = fmt.Errorf("%s is set: give the number of shards, the Job's completions, with --shards N", K8sIndex)
		}
		if err != nil {
			return Spec{}, K8sIndex, err
		}
		s, err := check(Spec{Index: id, Count: count}, K8sIndex+" "+getenv(K8sIndex))
		return s, K8sIndex, err
	}
	if count != 0 {
		return Spec{}, "", fmt.Errorf("--shards %d without a shard index (%s or %s; or give --shard i/%d)", count, SlurmID, K8sIndex, count)
	}
	return Spec{}, "", nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
