package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImageFolderRelativeDataFoundFromElsewhere: a checkpoint trained on an
// image folder given as a relative --data is evaluated from another working
// directory (the folder's absolute path is recorded) to the same report; a
// moved folder is an error listing the paths tried and saying to give
// --data DIR, and with --data DIR the report is again the same; a folder
// with another number of images or another image size is refused (exit 2)
// naming --data and saying why.
func TestImageFolderRelativeDataFoundFromElsewhere(t *testing.T) {
	root := t.TempDir()
	u, other := filepath.Join(root, "u"), filepath.Join(root, "other")
	for _, d := range []string{u, other} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(writeImageFolder(t, 12, 8, 8, true), filepath.Join(u, "rgb")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(u)
	if code, _, errs := runCLI(t, "train", "--data", "rgb", "--channels", "8", "--num-res", "1", "--batch", "8", "--steps", "2", "--quiet", "--out", "run"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	eval := func(ckpt string, extra ...string) (int, string, string) { // the report without the "model" line (the checkpoint's path)
		code, out, errs := runCLI(t, append([]string{"eval", "--ckpt", ckpt, "--metrics", "bpd", "--n", "3", "--rtol", "1e-2", "--atol", "1e-2", "--json"}, extra...)...)
		_, rest, _ := strings.Cut(out, `"model"`)
		_, rest, _ = strings.Cut(rest, "\n")
		return code, strings.Split(out, `"model"`)[0] + rest, errs
	}
	code, want, errs := eval("run")
	if code != 0 {
		t.Fatalf("eval in the training directory: exit %d: %s", code, errs)
	}
	t.Chdir(other)
	if code, got, errs := eval("../u/run"); code != 0 || got != want {
		t.Fatalf("eval from another directory: exit %d, %q%s; want the report %q", code, got, errs, want)
	}
	if err := os.Rename(filepath.Join(u, "rgb"), filepath.Join(root, "moved")); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := eval("../u/run"); code == 0 || !strings.Contains(errs, "not found (tried "+filepath.Join(u, "rgb")) || !strings.Contains(errs, "--data DIR") {
		t.Errorf("eval after the folder moved: exit %d, %q; want an error listing the paths tried and saying to give --data DIR", code, errs)
	}
	if code, got, errs := eval("../u/run", "--data", "../moved"); code != 0 || got != want {
		t.Errorf("eval --data ../moved: exit %d, %q%s; want the report %q", code, got, errs, want)
	}
	for _, c := range []struct{ dir, why string }{
		{writeImageFolder(t, 10, 8, 8, true), "holds 10 training images"},
		{writeImageFolder(t, 12, 6, 6, true), "holds 3×6×6 images"},
	} {
		if code, _, errs := eval("../u/run", "--data", c.dir); code != 2 || !strings.Contains(errs, "--data") || !strings.Contains(errs, c.why) || !strings.Contains(errs, "not the training") {
			t.Errorf("eval --data %s: exit %d, %q; want exit 2 naming --data: %s, not the training data", c.dir, code, errs, c.why)
		}
	}
	for _, d := range []string{"8gaussians", "pts.csv"} { // a toy set or a point file is no image directory
		if code, _, errs := eval("../u/run", "--data", d); code != 2 || !strings.Contains(errs, "--data: ") || !strings.Contains(errs, "give their directory") || !strings.Contains(errs, "not "+d) {
			t.Errorf("eval --data %s of an image checkpoint: exit %d, %q; want exit 2 asking for the image directory", d, code, errs)
		}
	}
}
