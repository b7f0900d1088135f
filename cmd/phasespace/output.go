package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
)

// warnf prints a warning line to stderr.
func warnf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "phasespace: warning: "+format+"\n", a...)
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// refuseZeros refuses, as a usage error, the first flag (in name order)
// given as 0 where the library would read 0 as its default.
func refuseZeros(zero map[string]bool) error {
	for _, name := range slices.Sorted(maps.Keys(zero)) {
		if zero[name] {
			return usagef("--%s = 0: want a value > 0", name)
		}
	}
	return nil
}
