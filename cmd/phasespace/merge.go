package main

import (
	"fmt"
	"io"
	"strings"

	"phasespace/experiment"
)

func init() {
	register("merge", "combine the shard directories of a run (--shard) into what a single process writes", runMerge)
}

func runMerge(args []string, stdout io.Writer) error {
	fs := newFlagSet("merge")
	out := fs.String("out", "", "output directory (required); the shard directories follow the flags")
	if err := fs.Parse(args); err != nil {
		return parseFlags(fs, args) // the same error, as a usage error
	}
	if err := checkFlags("merge", fs, useContext{}); err != nil || *out == "" || fs.NArg() == 0 {
		return firstErr(err, usagef("usage: phasespace merge --out DIR SHARD_DIR..."))
	}
	m, res, err := experiment.Merge(*out, fs.Args())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merged %d shards of %s (%s, n = %d) into %s: %s\n", fs.NArg(), m.Command, m.Model, m.N, *out, strings.Join(m.Files, ", "))
	return printEval(stdout, res, false) // the eval report (none for sample)
}
