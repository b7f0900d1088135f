package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// runCLI runs the command line in-process and returns exit code, stdout, stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestKernelJSONMatchesSpecRows(t *testing.T) {
	cases := []struct {
		args       []string
		phi, sigma [4]float64
		ell        float64
	}{
		// CLD at t = 0.1 (HSM, no eps): docs/method.md, Reference values.
		{[]string{"--sde", "cld", "--t", "0.1", "--numerical-eps", "0"},
			[4]float64{0.8087921354, 0.7189263426, -0.1797315856, 0.08986579282},
			[4]float64{0.221810061, 0.1298598404, 0.1298598404, 0.2157583505}, 2.675181449},
		// CLD at t = 0.5 with the default eps = 1e-9 (docs/method.md, Reference values).
		{[]string{"--sde", "cld", "--t", "0.5"},
			[4]float64{0.09157819444, 0.1465251111, -0.03663127778, -0.05494691667},
			[4]float64{0.9864607293, 5.286891016e-3, 5.286891016e-3, 0.2479335512}, 2.008432162},
		// PSLD at t = 0.01 (docs/method.md, Reference values).
		{[]string{"--sde", "psld", "--t", "0.01", "--numerical-eps", "0"},
			[4]float64{0.9965669476, 0.1476395478, -0.03690988695, 0.8489273998},
			[4]float64{1.622934329e-3, 6.702711592e-3, 6.702711592e-3, 7.567500502e-2}, 4.564695308},
	}
	for _, c := range cases {
		code, out, errs := runCLI(t, append([]string{"kernel", "--json"}, c.args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errs)
		}
		var got struct {
			Phi   [][]float64 `json:"phi"`
			Sigma [][]float64 `json:"sigma"`
			Ell   float64     `json:"ell"`
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		flat := func(m [][]float64) [4]float64 { return [4]float64{m[0][0], m[0][1], m[1][0], m[1][1]} }
		p, s := flat(got.Phi), flat(got.Sigma)
		for i := range p {
			if math.Abs(p[i]-c.phi[i]) > 1e-9*math.Abs(c.phi[i]) {
				t.Errorf("%v: phi[%d] = %.12g, want %.10g", c.args, i, p[i], c.phi[i])
			}
			if math.Abs(s[i]-c.sigma[i]) > 1e-9*math.Abs(c.sigma[i]) {
				t.Errorf("%v: sigma[%d] = %.12g, want %.10g", c.args, i, s[i], c.sigma[i])
			}
		}
		if math.Abs(got.Ell-c.ell) > 1e-9*c.ell {
			t.Errorf("%v: ell = %.12g, want %.10g", c.args, got.Ell, c.ell)
		}
	}
	// VP: 1×1 arrays, ell = 1/σ_t (G.3, t = 0.1).
	code, out, _ := runCLI(t, "kernel", "--sde", "vp", "--t", "0.1", "--json")
	var vp struct {
		Phi   [][]float64 `json:"phi"`
		Sigma [][]float64 `json:"sigma"`
		Ell   float64     `json:"ell"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &vp) != nil || len(vp.Phi) != 1 || len(vp.Phi[0]) != 1 {
		t.Fatalf("vp kernel: exit %d, output %s", code, out)
	}
	if math.Abs(vp.Phi[0][0]-0.9467217988) > 1e-9 || math.Abs(vp.Ell-1/0.3220525355) > 1e-8 {
		t.Errorf("vp kernel: %+v", vp)
	}
}

func TestKernelRejectsBadInputWithExitCode2(t *testing.T) {
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--sde", "ve", "--t", "0.5"}, "unknown SDE"},
		{[]string{"--sde", "cld", "--t", "1.5"}, "--t"},
		{[]string{"--sde", "cld", "--t", "-0.1"}, "--t"},
		{[]string{"--sde", "cld"}, "--t is required"},
		{[]string{"--sde", "cld", "--t", "0.5", "--beta0", "-2"}, "Beta0 = -2"},
		{[]string{"--sde", "cld", "--t", "0.5", "--beta0", "1", "--beta1", "-3"}, "β(T)"},
		{[]string{"--sde", "cld", "--t", "0.5", "--Gamma", "1.5", "--m-inv", "4"}, "critically damped"},
		{[]string{"--sde", "psld", "--t", "0.5", "--Gamma", "0.01", "--nu", "4.01", "--m-inv", "2"}, "critically damped"},
		{[]string{"--sde", "psld", "--t", "0.5", "--Gamma", "1", "--nu", "1"}, "Nu == Gamma"},
		{[]string{"--sde", "cld", "--t", "0.5", "--nu", "4"}, "does not apply"},
		{[]string{"--sde", "vp", "--t", "0.5", "--objective", "hsm"}, "hsm"},
		{[]string{"--sde", "cld", "--t", "0.5", "--objective", "xsm"}, "objective"},
		{[]string{"--sde", "cld", "--t", "0.5", "--m-inv", "NaN"}, "finite"},
		{[]string{"--sde", "cld", "--t", "abc"}, "invalid value"},
		{[]string{"--sde", "cld", "--t", "0", "--objective", "dsm", "--numerical-eps", "0"}, "not positive"},
	} {
		code, _, errs := runCLI(t, append([]string{"kernel"}, c.args...)...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr %q)", c.args, code, errs)
		}
		if !strings.Contains(errs, c.msg) {
			t.Errorf("%v: stderr %q does not mention %q", c.args, errs, c.msg)
		}
	}
	if code, _, _ := runCLI(t, "nosuchcommand"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}
