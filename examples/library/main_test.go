package main

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestRunSmall runs the example's logic with small settings (the CI run).
func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("trains, samples and evaluates the 256×4 MLP end to end (~2 s, about a minute without the assembly kernels); the full suite runs it")
	}
	// A failure inside run exits the test binary through log.Fatal,
	// which fails the test with the error printed.
	got := run(t.TempDir(), 20, 60)
	re := regexp.MustCompile(`^step 20: MMD² -?[0-9.]+ \(real-vs-real floor -?[0-9.]+\); NLL -?[0-9.]+ ± [0-9.]+ nats \(augmented .*\)\n$`)
	if !re.MatchString(got) {
		t.Errorf("output %q does not match %v", got, re)
	}
}

// TestAtMost40Lines counts main.go's lines of code, comments and blank
// lines aside: the library example must fit in 40.
func TestAtMost40Lines(t *testing.T) {
	f, err := os.Open("main.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	code := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "//") {
			code++
		}
	}
	if code > 40 {
		t.Errorf("main.go has %d lines of code, want at most 40", code)
	}
	t.Logf("%d lines of code", code)
}
