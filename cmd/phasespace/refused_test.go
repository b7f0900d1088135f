package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusedShardWritesNothing: a shard spec that does not resolve (from
// --shard, --shards or the engines' variables) and a sharded --out that names
// a file are usage errors (exit 2) that name where the spec came from, print
// nothing on stdout and leave no shard directory behind.
func TestRefusedShardWritesNothing(t *testing.T) {
	root := t.TempDir()
	for _, c := range []struct {
		env       map[string]string
		args      []string
		out, want string
	}{
		{nil, []string{"--shard", "3/3"}, "r", "shard"},
		{nil, []string{"--shard", "1-3"}, "r", "shard"},
		{nil, []string{"--shard", "0/0"}, "r", "shard"},
		{nil, []string{"--shards", "3"}, "r", "shard"},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "1"}, nil, "r", "SLURM_ARRAY_TASK_ID"},
		{map[string]string{"JOB_COMPLETION_INDEX": "1"}, nil, "r", "JOB_COMPLETION_INDEX"},
		{nil, []string{"--shard", "0/2"}, "x.csv", "--out"},
	} {
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		out := filepath.Join(root, c.out)
		args := append([]string{"sample", "--exact", "8gaussians", "--n", "10", "--nfe", "4", "--out", out}, c.args...)
		code, stdout, errs := runCLI(t, args...)
		for k := range c.env {
			os.Unsetenv(k)
		}
		if code != 2 || stdout != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%v %v: exit %d, stdout %q, stderr %q; want exit 2, no stdout, an error naming %s", c.env, c.args, code, stdout, errs, c.want)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%v %v: refused, yet %s was written", c.env, c.args, out)
			os.RemoveAll(out)
		}
	}
}
