package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An output flag whose extension is not one of its formats is a usage
// error naming the flag, the extension and the valid ones, and nothing is
// written (before: sample and data wrote CSV to any other name, classifier
// safetensors).
func TestOutputExtensionsAreChecked(t *testing.T) {
	dir := t.TempDir()
	pts := filepath.Join(dir, "p.csv")
	os.WriteFile(pts, []byte("0,0\n1,1\n"), 0o644)
	for _, tc := range []struct {
		args []string
		file string
		want []string
	}{
		{[]string{"sample", "--exact", "8gaussians", "--n", "5", "--nfe", "4", "--out", "x.txt"}, "x.txt", []string{"--out x.txt", ".txt", ".csv", ".png"}},
		{[]string{"sample", "--exact", "8gaussians", "--n", "5", "--nfe", "4", "--out", "samples"}, "samples", []string{"--out samples", "no extension", ".csv", ".png"}},
		{[]string{"data", "--name", "moons", "--n", "5", "--out", "m.json"}, "m.json", []string{"--out m.json", ".json", ".csv", ".png"}},
		{[]string{"eval", "--exact", "gaussian", "--sde", "vp", "--points", pts, "--per-point", "nll.txt"}, "nll.txt", []string{"--per-point", ".txt", ".csv"}},
		{[]string{"classifier", "--data", "mnist", "--out", "w.bin"}, "w.bin", []string{"--out", ".bin", ".safetensors"}},
	} {
		args := append([]string(nil), tc.args...)
		args[len(args)-1] = filepath.Join(dir, tc.file)
		code, _, errs := runCLI(t, args...)
		if code != 2 {
			t.Errorf("%v: exit %d (%s), want 2", tc.args, code, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(errs, strings.ReplaceAll(w, tc.file, filepath.Join(dir, tc.file))) {
				t.Errorf("%v: %q does not say %q", tc.args, errs, w)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, tc.file)); err == nil {
			t.Errorf("%v wrote %s", tc.args, tc.file)
		}
	}
	// Upper-case extensions are the same formats.
	if code, _, errs := runCLI(t, "sample", "--exact", "8gaussians", "--n", "5", "--nfe", "4", "--out", filepath.Join(dir, "X.CSV")); code != 0 {
		t.Errorf("--out X.CSV: exit %d: %s", code, errs)
	}
}

// A file flag whose file is missing gives an error that starts with the
// flag and its value (before: the reader's message alone, e.g. "dataset:
// open nope.csv: no such file or directory" for --points).
func TestMissingFilesNameTheirFlag(t *testing.T) {
	dir := t.TempDir()
	pts := filepath.Join(dir, "p.csv")
	os.WriteFile(pts, []byte("0,0\n1,1\n"), 0o644)
	missing := filepath.Join(dir, "missing.csv")
	nodir := filepath.Join(dir, "nodir", "out.csv")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--exact", "gaussian", "--sde", "vp", "--points", missing}, "--points " + missing + ": "},
		{[]string{"eval", "--exact", "gaussian", "--sde", "vp", "--points", pts, "--per-point", nodir}, "--per-point " + nodir + ": "},
		{[]string{"eval", "--ckpt", filepath.Join(dir, "nockpt")}, "--ckpt " + filepath.Join(dir, "nockpt") + ": "},
		{[]string{"sample", "--ckpt", filepath.Join(dir, "nockpt"), "--out", filepath.Join(dir, "s.csv")}, "--ckpt " + filepath.Join(dir, "nockpt") + ": "},
		{[]string{"sample", "--exact", "8gaussians", "--out", nodir}, "--out " + nodir + ": "},
		{[]string{"eval", "--samples", missing, "--data", "8gaussians"}, "--samples " + missing + ": "},
		{[]string{"eval", "--samples", pts, "--data", missing}, "--data " + missing + ": "},
		{[]string{"train", "--data", missing, "--out", filepath.Join(dir, "run")}, "--data " + missing + ": "},
		{[]string{"results", "--data", missing, "--out", filepath.Join(dir, "grid")}, "--data " + missing + ": "},
	} {
		code, _, errs := runCLI(t, tc.args...)
		if code != 1 || !strings.HasPrefix(errs, "phasespace "+tc.args[0]+": "+tc.want) || strings.Count(errs, "--") != strings.Count(tc.want, "--") {
			t.Errorf("%v: exit %d, %q; want 1 and a message starting with %q", tc.args, code, errs, tc.want)
		}
	}
}
