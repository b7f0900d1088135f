package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The grid writes one row per cell, reuses finished cells on a rerun without
// duplicating their rows, and keeps rows of earlier grids in the directory.
func TestResultsGridRowsAreNeitherLostNorDuplicated(t *testing.T) {
	out := t.TempDir()
	args := []string{"results", "--data", "diamond", "--runs", "cld/dsm", "--steps", "20", "--n", "40", "--nfe", "10", "--out", out}
	code, stdout, errs := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(stdout, "| diamond | cld | dsm | 20 |") {
		t.Fatalf("no row printed: %q", stdout)
	}
	earlier := filepath.Join(out, "moons-vp-dsm")
	if err := os.MkdirAll(earlier, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(earlier, "row.md"), []byte("| moons | vp | dsm | earlier row |\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, args...); code != 0 {
		t.Fatalf("rerun: exit %d: %s", code, errs)
	}
	raw, err := os.ReadFile(filepath.Join(out, "results.md"))
	if err != nil {
		t.Fatal(err)
	}
	table := string(raw)
	if n := strings.Count(table, "| diamond | cld | dsm |"); n != 1 {
		t.Errorf("diamond row appears %d times:\n%s", n, table)
	}
	if !strings.Contains(table, "earlier row") || strings.Index(table, "earlier row") < strings.Index(table, "| diamond |") {
		t.Errorf("the earlier grid's row is missing or out of order:\n%s", table)
	}
	if code, _, _ := runCLI(t, "results", "--runs", "cld", "--out", t.TempDir()); code != 2 {
		t.Errorf("--runs cld: exit %d, want 2", code)
	}
}

// results and imagebench reject likelihood ODE tolerances outside (0, 1)
// as usage errors naming the flag, before any work.
func TestLikelihoodToleranceFlagsAreChecked(t *testing.T) {
	for _, cmd := range []string{"results", "imagebench"} {
		for _, bad := range []string{"--rtol=0", "--atol=1", "--rtol=NaN"} {
			code, _, errs := runCLI(t, cmd, bad, "--out", t.TempDir())
			name, _, _ := strings.Cut(bad, "=")
			if code != 2 || !strings.Contains(errs, name+" = ") {
				t.Errorf("%s %s: exit %d, stderr %q; want 2 and a message naming %s", cmd, bad, code, errs, name)
			}
		}
	}
}
