package shard

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, ok := range []struct {
		in   string
		want Spec
	}{{"0/1", Spec{0, 1}}, {"3/4", Spec{3, 4}}, {"999/1000", Spec{999, 1000}}} {
		if s, err := Parse(ok.in); err != nil || s != ok.want || s.String() != ok.in {
			t.Errorf("Parse(%q) = %v, %v; want %v", ok.in, s, err, ok.want)
		}
	}
	for _, bad := range []string{"", "1", "4/4", "-1/4", "0/0", "a/b", "1/1001", "1/2/3"} {
		if _, err := Parse(bad); err == nil || !strings.HasPrefix(err.Error(), "shard: ") {
			t.Errorf("Parse(%q): error %v, want one starting with shard:", bad, err)
		}
	}
}

// TestRangePartitions: for every n, N and block size the shards' ranges
// are consecutive, cover 0…n−1 and start on the block grid.
func TestRangePartitions(t *testing.T) {
	t.Parallel()
	for n := 0; n <= 40; n++ {
		for count := 1; count <= 9; count++ {
			for _, align := range []int{0, 1, 3, 16, 100} {
				next := 0
				for i := range count {
					lo, hi := Spec{i, count}.Range(n, align)
					if lo != next || hi < lo || (align > 1 && lo%align != 0 && lo != n) {
						t.Fatalf("n %d, shard %d/%d, align %d: rows %d…%d after %d", n, i, count, align, lo, hi, next)
					}
					next = hi
				}
				if next != n {
					t.Fatalf("n %d, %d shards, align %d: cover %d rows", n, count, align, next)
				}
			}
		}
	}
	if lo, hi := (Spec{}).Range(17, 4); lo != 0 || hi != 17 {
		t.Errorf("zero Spec owns %d…%d, want all", lo, hi)
	}
	if lo, hi := (Spec{1, 3}).Range(1000, 1); lo != 333 || hi != 666 {
		t.Errorf("shard 1/3 of 1000 = %d…%d, want 333…665", lo, hi-1)
	}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestResolve(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text  string
		count int
		env   func(string) string
		want  Spec
		from  string
	}{
		{"", 0, env(), Spec{}, ""},
		{"2/5", 0, env(SlurmID, "1", SlurmCount, "3"), Spec{2, 5}, "flag"},
		{"", 0, env(SlurmID, "1", SlurmCount, "4"), Spec{1, 4}, SlurmID},
		{"", 0, env(SlurmID, "12", SlurmMin, "10", SlurmMax, "13"), Spec{2, 4}, SlurmID},
		{"", 0, env(SlurmID, "3", SlurmMin, "0", SlurmCount, "4", SlurmMax, "9"), Spec{3, 4}, SlurmID},
		{"", 6, env(SlurmID, "5"), Spec{5, 6}, SlurmID},
		{"", 7, env(K8sIndex, "6"), Spec{6, 7}, K8sIndex},
	} {
		s, from, err := Resolve(c.text, c.count, c.env)
		if err != nil || s != c.want || from != c.from {
			t.Errorf("Resolve(%q, %d) = %v from %q, %v; want %v from %q", c.text, c.count, s, from, err, c.want, c.from)
		}
	}
	for _, c := range []struct {
		text  string
		count int
		env   func(string) string
		names string
	}{
		{"", 0, env(SlurmID, "1"), SlurmCount},
		{"", 0, env(SlurmID, "x", SlurmCount, "4"), SlurmID},
		{"", 0, env(SlurmID, "4", SlurmCount, "4"), SlurmID},
		{"", 0, env(K8sIndex, "2"), K8sIndex},
		{"", 2, env(K8sIndex, "2"), K8sIndex},
		{"", 3, env(), "--shards 3 without a shard index"},
		{"1/4", 3, env(), "--shard 1/4 names 4 shards and --shards is 3"},
		{"4/4", 0, env(), "--shard 4/4: shard 4 of 4"},
	} {
		if _, _, err := Resolve(c.text, c.count, c.env); err == nil || !strings.Contains(err.Error(), c.names) {
			t.Errorf("Resolve(%q, %d): error %v, want one naming %s", c.text, c.count, err, c.names)
		}
	}
}

// writeShards writes the count shards of a run of n rows (one row "i\n"
// per sample) under out, as a command would.
func writeShards(t *testing.T, out string, n, count int, seed uint64) []string {
	t.Helper()
	var dirs []string
	for i := range count {
		s := Spec{i, count}
		lo, hi := s.Range(n, 1)
		dir := Dir(out, s)
		m := Manifest{Command: "sample", Model: "exact 8gaussians", Seed: seed, N: n, Shard: s, Rows: [2]int{lo, hi}, ConfigHash: "h", Files: []string{"rows.txt"}}
		if _, err := Run(dir, &m, func() error { return os.WriteFile(filepath.Join(dir, "rows.txt"), rowsText(lo, hi), 0o644) }); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, dir)
	}
	return dirs
}

func rowsText(lo, hi int) []byte {
	var b strings.Builder
	for i := lo; i < hi; i++ {
		b.WriteString(strings.Repeat("x", i%5) + "\n")
	}
	return []byte(b.String())
}

// TestMergeEveryCount: every N from 1 to 7 over n = 1000 merges, in any
// order of the directories, into the bytes of the single run.
func TestMergeEveryCount(t *testing.T) {
	t.Parallel()
	want := rowsText(0, 1000)
	for count := 1; count <= 7; count++ {
		root := t.TempDir()
		dirs := writeShards(t, filepath.Join(root, "run"), 1000, count, 1)
		for i, j := 0, len(dirs)-1; i < j; i, j = i+1, j-1 {
			dirs[i], dirs[j] = dirs[j], dirs[i]
		}
		m, _, err := Merge(filepath.Join(root, "merged"), dirs)
		if err != nil {
			t.Fatalf("%d shards: %v", count, err)
		}
		got, _ := os.ReadFile(filepath.Join(root, "merged", "rows.txt"))
		if string(got) != string(want) || m.Rows != [2]int{0, 1000} || m.Shard.On() {
			t.Fatalf("%d shards: merged %d bytes (manifest %+v), want the single run's %d", count, len(got), m, len(want))
		}
	}
}

// TestRunSkipsFinishedShard: a rerun of a finished shard does not call
// write; a directory that holds another run's shard is an error.
func TestRunSkipsFinishedShard(t *testing.T) {
	t.Parallel()
	dir := writeShards(t, t.TempDir(), 10, 2, 1)[0]
	m, _ := Read(dir)
	skipped, err := Run(dir, &m, func() error { t.Fatal("write called for a finished shard"); return nil })
	if !skipped || err != nil {
		t.Fatalf("rerun: skipped %v, %v", skipped, err)
	}
	other := m
	other.Seed = 2
	if _, err := Run(dir, &other, func() error { return nil }); err == nil || !strings.Contains(err.Error(), "seed 1 vs 2") {
		t.Fatalf("another run's shard directory: %v", err)
	}
	// Other settings: named when both manifests record them, the hashes
	// otherwise (manifests older than Settings).
	set := flag.NewFlagSet("t", flag.ContinueOnError)
	batch := set.Int("batch", 250, "")
	set.String("out", "a", "")
	m1 := Manifest{ConfigHash: FlagHash(set, "out"), Settings: FlagSettings(set, "out")}
	*batch = 300
	m2 := Manifest{ConfigHash: FlagHash(set, "out"), Settings: FlagSettings(set, "out")}
	if got := otherRun(m1, m2); got != `settings: --batch "250" vs "300"` {
		t.Errorf("other --batch: %q, want the flag and both values named", got)
	}
	m1.Settings = nil
	if got := otherRun(m1, m2); !strings.Contains(got, "config hash") {
		t.Errorf("other settings without a record: %q, want the hashes", got)
	}
	os.Remove(filepath.Join(dir, "rows.txt")) // a lost output is redone
	calls := 0
	if skipped, err := Run(dir, &m, func() error { calls++; return nil }); skipped || err != nil || calls != 1 {
		t.Fatalf("lost file: skipped %v, %v, %d writes", skipped, err, calls)
	}
}

// TestMergeErrors: a missing, duplicated or mismatched shard, or a
// directory that is not a shard, is an error naming it.
func TestMergeErrors(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dirs := writeShards(t, filepath.Join(root, "a"), 100, 4, 1)
	other := writeShards(t, filepath.Join(root, "b"), 100, 4, 9)
	otherN := writeShards(t, filepath.Join(root, "c"), 99, 4, 1)
	for _, c := range []struct {
		name string
		dirs []string
		want string
	}{
		{"missing", []string{dirs[0], dirs[1], dirs[3]}, "shard 2/4 is missing"},
		{"duplicated", []string{dirs[0], dirs[1], dirs[1], dirs[2], dirs[3]}, "shard 1/4 is given twice: " + dirs[1]},
		{"other seed", []string{dirs[0], dirs[1], other[2], dirs[3]}, other[2] + " is a shard of another run"},
		{"other n", []string{dirs[0], otherN[1], dirs[2], dirs[3]}, otherN[1] + " is a shard of another run than " + dirs[0] + ": n 100 vs 99"},
		{"not a shard", []string{dirs[0], root, dirs[2], dirs[3]}, root},
		{"none", nil, "no shard directories"},
	} {
		_, _, err := Merge(filepath.Join(root, "out-"+strings.ReplaceAll(c.name, " ", "-")), c.dirs)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
		if _, serr := os.Stat(filepath.Join(root, "out-"+strings.ReplaceAll(c.name, " ", "-"), "rows.txt")); serr == nil {
			t.Errorf("%s: a failed merge wrote output", c.name)
		}
	}
}
