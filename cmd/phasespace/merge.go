package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"phasespace/experiment"
	"phasespace/shard"
)

func init() {
	register("merge", "combine the shard directories of a run (--shard) into what a single process writes", runMerge)
}

func runMerge(args []string, stdout io.Writer) error {
	fs := newFlagSet("merge")
	out := fs.String("out", "", "output directory (required). merge combines the shard directories given after the flags (shard-III-of-NNN, each with\na manifest.json, written by sample, eval or imagebench with --shard) into the files a single process writes")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkFlags("merge", fs, useContext{}); err != nil || *out == "" || fs.NArg() == 0 {
		return firstErr(err, usagef("usage: phasespace merge --out DIR SHARD_DIR..."))
	}
	m, res, err := experiment.Merge(*out, fs.Args())
	if err != nil {
		return map[bool]error{true: usageError{err}, false: err}[errors.Is(err, shard.ErrArguments)]
	}
	fmt.Fprintf(stdout, "merged %d shards of %s (%s, n = %d) into %s: %s\n", fs.NArg(), m.Command, m.Model, m.N, *out, strings.Join(m.Files, ", "))
	return printEval(stdout, res, false) // the eval report (none for sample)
}
