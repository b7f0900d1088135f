package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"phasespace/checkpoint"
	"phasespace/internal/faulthook"
	"phasespace/train"
)

// The test binary doubles as the phasespace command when this variable is
// set, so fault tests can run the real CLI in a child process and kill it.
const childEnv = "PHASESPACE_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		installFaultHooks()
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// installFaultHooks makes the child pause inside every checkpoint save when
// asked, so that the parent can kill it between writing and renaming.
func installFaultHooks() {
	if d, err := time.ParseDuration(os.Getenv("PHASESPACE_TEST_CKPT_PAUSE")); err == nil && d > 0 {
		faulthook.SetBeforeRename(func(tmp string) {
			os.WriteFile(filepath.Join(filepath.Dir(tmp), "PAUSED"), []byte(tmp), 0o644)
			time.Sleep(d)
			os.Remove(filepath.Join(filepath.Dir(tmp), "PAUSED"))
		})
	}
}

func child(args []string, extraEnv ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=1"}, extraEnv...)...)
	return cmd
}

var stepLine = regexp.MustCompile(`^step (\d+)/`)

func faultTrainArgs(out string) []string {
	return []string{"train", "--data", "8gaussians", "--sde", "cld", "--steps", "1500", "--batch", "32",
		"--hidden", "16", "--layers", "2", "--seed", "5", "--ckpt-every", "10", "--keep", "2",
		"--progress-every", "1ns", "--out", out, "--resume"}
}

func fileOf(t *testing.T, dir, name string) []byte {
	t.Helper()
	c, _, err := checkpoint.Latest(train.CheckpointDir(dir))
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return c.Files[name]
}

// SIGKILL at random moments (including inside checkpoint writes) loses at
// most one checkpoint interval each time, never corrupts the newest
// checkpoint, and the resumed run ends with exactly the parameters of an
// uninterrupted run.
func TestKilledTrainingResumesToTheSameParameters(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection runs child processes; skipped in -short mode")
	}
	ref := t.TempDir()
	if out, err := child(faultTrainArgs(ref)).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(9, 9))
	kills, midSave := 0, 0
	for attempt := 0; attempt < 12; attempt++ {
		pauseSave := attempt%3 == 1 // every third run is killed inside a checkpoint save
		os.Remove(filepath.Join(train.CheckpointDir(dir), "PAUSED"))
		env := []string{}
		if pauseSave {
			env = append(env, "PHASESPACE_TEST_CKPT_PAUSE=2s")
		}
		// The other runs are killed at a random step 20–219 past where they
		// resume: a moment in the run's progress, not in wall time, so
		// that a faster machine or engine cannot finish the run before
		// enough kills.
		killStep := int64(-1)
		if !pauseSave {
			killStep = int64(20 + r.IntN(200))
			if c, _, err := checkpoint.Latest(train.CheckpointDir(dir)); err == nil {
				killStep += c.Manifest.Step
			}
		}
		cmd := child(faultTrainArgs(dir), env...)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		last := int64(-1)
		done := make(chan struct{})
		killAt := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				if m := stepLine.FindStringSubmatch(sc.Text()); m != nil {
					s, _ := strconv.ParseInt(m[1], 10, 64)
					if killStep >= 0 && last < killStep && s >= killStep {
						close(killAt)
					}
					last = s
				}
			}
			close(done)
		}()
		exited := make(chan error, 1)
		go func() { <-done; exited <- cmd.Wait() }()
		paused := time.NewTicker(5 * time.Millisecond)
		killed := false
	wait:
		for {
			select {
			case err := <-exited:
				if err != nil && !killed {
					t.Fatalf("attempt %d: child failed: %v", attempt, err)
				}
				break wait
			case <-killAt:
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
				killAt = nil
			case <-paused.C:
				if pauseSave && !killed {
					if _, err := os.Stat(filepath.Join(train.CheckpointDir(dir), "PAUSED")); err == nil {
						cmd.Process.Signal(syscall.SIGKILL)
						killed = true
						midSave++
					}
				}
			}
		}
		paused.Stop()
		if !killed {
			break // finished on its own
		}
		kills++
		c, _, err := checkpoint.Latest(train.CheckpointDir(dir))
		if err != nil {
			continue // killed before the first checkpoint
		}
		if last >= 0 && c.Manifest.Step < last-10 {
			t.Fatalf("attempt %d: killed after step %d but the newest checkpoint is step %d (interval 10)", attempt, last, c.Manifest.Step)
		}
	}
	// Finish the run (a no-op if the last attempt completed it).
	if out, err := child(faultTrainArgs(dir)).CombinedOutput(); err != nil {
		t.Fatalf("final resume: %v\n%s", err, out)
	}
	if c, _, err := checkpoint.Latest(train.CheckpointDir(dir)); err != nil || c.Manifest.Step != 1500 {
		t.Fatalf("after the final resume the newest checkpoint is %v (%v), want step 1500", c, err)
	}
	if kills < 5 || midSave < 1 {
		t.Fatalf("only %d kills (%d inside a checkpoint save); want >= 5 and >= 1", kills, midSave)
	}
	for _, name := range []string{"model.safetensors", "ema.safetensors", "optimizer.safetensors"} {
		if !bytes.Equal(fileOf(t, ref, name), fileOf(t, dir, name)) {
			t.Errorf("%s differs between the uninterrupted and the %d-times killed run", name, kills)
		}
	}
	t.Logf("%d kills (%d inside checkpoint saves); final parameters identical", kills, midSave)
}

// SIGINT and SIGTERM finish the current step, write a checkpoint and exit 0.
func TestSignalStopsWithCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes; skipped in -short mode")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		dir := t.TempDir()
		args := faultTrainArgs(dir)
		args[6] = "100000" // --steps: long enough to be interrupted
		cmd := child(args)
		var out bytes.Buffer
		cmd.Stdout = &out
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := stepLine.FindStringSubmatch(sc.Text()); m != nil {
				if s, _ := strconv.Atoi(m[1]); s >= 25 {
					break
				}
			}
		}
		cmd.Process.Signal(sig)
		go func() {
			for sc.Scan() {
			}
		}()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("%v: exit %v", sig, err)
		}
		c, _, err := checkpoint.Latest(train.CheckpointDir(dir))
		if err != nil {
			t.Fatalf("%v: %v", sig, err)
		}
		if !strings.Contains(out.String(), fmt.Sprintf("stopped by signal at step %d", c.Manifest.Step)) {
			t.Fatalf("%v: output %q, newest checkpoint step %d", sig, out.String(), c.Manifest.Step)
		}
	}
}
