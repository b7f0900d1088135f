package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
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
