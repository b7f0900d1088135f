package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// A mistyped flag gets one line naming it and pointing to -h, not the whole
// flag list; -h still prints the list. Both go to the process's stderr
// (captured here through a pipe).
func TestParseErrorIsOneLineAndHelpListsFlags(t *testing.T) {
	capture := func(args ...string) (int, string) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		saved := os.Stderr
		os.Stderr = w
		code, _, errs := runCLI(t, args...)
		os.Stderr = saved
		w.Close()
		raw, _ := io.ReadAll(r)
		return code, errs + string(raw)
	}
	code, out := capture("sample", "--bogus", "1")
	if code != 2 || strings.Count(strings.TrimSpace(out), "\n") != 0 ||
		!strings.Contains(out, "-bogus") || !strings.Contains(out, "phasespace sample -h lists the flags") {
		t.Errorf("parse error: exit %d, output\n%s\nwant exit 2 and one line naming -bogus and pointing to -h", code, out)
	}
	code, out = capture("sample", "-h")
	if code != 0 || !strings.Contains(out, "Usage of phasespace sample:") || !strings.Contains(out, "-nfe") {
		t.Errorf("-h: exit %d, output\n%s\nwant exit 0 and the flag list", code, out)
	}
	code, out = capture("merge", "-h") // once, saying what merge does
	if code != 0 || strings.Count(out, "Usage of phasespace merge:") != 1 || !strings.Contains(out, "merge combines the shard directories") {
		t.Errorf("merge -h: exit %d, output\n%s\nwant exit 0, the usage once and what merge does", code, out)
	}
}
