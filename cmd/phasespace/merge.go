package main

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"path/filepath"

	"phasespace/evaluate"
	"phasespace/internal/atomicfile"
	"phasespace/shard"
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
	m, parts, err := shard.Merge(*out, fs.Args())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "merged %d shards of %s (%s, n = %d) into %s: %s\n", fs.NArg(), m.Command, m.Model, m.N, *out, strings.Join(m.Files, ", "))
	if m.Command != "eval" {
		return nil
	}
	res, err := evaluate.MergeNLL(*out, parts)
	var b bytes.Buffer
	if err = firstErr(err, printJSON(&b, res), atomicfile.Write(filepath.Join(*out, "eval.json"), b.Bytes())); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", filepath.Join(*out, "eval.json"))
	return printEval(stdout, res, false)
}
