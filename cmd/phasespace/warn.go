package main

import (
	"fmt"
	"os"
)

// warnf prints a warning line to stderr.
func warnf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "phasespace: warning: "+format+"\n", a...)
}
