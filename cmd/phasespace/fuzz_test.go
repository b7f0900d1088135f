package main

import (
	"io"
	"testing"
)

// FuzzKernelFlags: numeric flags of any text give either a result (exit 0)
// or a usage error (exit 2), never a panic or a runtime failure.
func FuzzKernelFlags(f *testing.F) {
	f.Add("cld", "0.5", "4", "0", "4", "0.04", "1e-9")
	f.Add("psld", "1", "8", "0", "NaN", "0.04", "0")
	f.Add("vp", "1e-300", "0.1", "19.9", "", "", "")
	f.Add("cld", "-0", "1e308", "-1e308", "Inf", "-0.04", "1e-2")
	f.Fuzz(func(t *testing.T, sdeName, tt, beta0, beta1, minv, gamma, eps string) {
		args := []string{"kernel", "--json", "--sde", sdeName, "--t", tt, "--beta0", beta0, "--beta1", beta1}
		if minv != "" {
			args = append(args, "--m-inv", minv)
		}
		if gamma != "" {
			args = append(args, "--gamma", gamma)
		}
		if eps != "" {
			args = append(args, "--numerical-eps", eps)
		}
		code := run(args, io.Discard, io.Discard)
		if code != 0 && code != 2 {
			t.Fatalf("%q: exit %d", args, code)
		}
	})
}
