package shard

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"phasespace/internal/atomicfile"
)

// ErrArguments is matched (errors.Is) by the errors of Merge and Collect
// about the directories given: one that is not a shard directory, a shard
// of another run, a shard given twice or missing (a command's usage error).
var ErrArguments = errors.New("shard: the directories given are not the shards of one run")

// argError is an error about the directories given (ErrArguments).
type argError struct{ error }

func (e argError) Is(target error) bool { return target == ErrArguments }
func (e argError) Unwrap() error        { return e.error }

// Merge checks that dirs hold every shard of one run exactly once and
// writes into out (created if needed) each of their files as the single
// process would have written it: the shards' copies concatenated in shard
// order (each shard holds its rows in order, and the rows of a run
// partition 0…N−1). It writes out/manifest.json last, with the zero Spec
// and rows [0, N). It returns that manifest and the shards' manifests in
// shard order (for a command that merges its Result records).
//
// Errors name the directory: one that is not a finished shard, a shard of
// another run (other command, model, seed, N, shard count or settings), a
// shard given twice, a missing shard (these match ErrArguments), and rows
// that do not join up.
func Merge(out string, dirs []string) (Manifest, []Manifest, error) {
	first, ms, partDirs, err := Collect(dirs)
	if err != nil {
		return Manifest{}, nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return Manifest{}, nil, fmt.Errorf("shard: %w", err)
	}
	for _, name := range first.Files {
		err := atomicfile.WriteFunc(filepath.Join(out, name), func(w io.Writer) error {
			for i := range ms {
				if err := appendFile(w, filepath.Join(partDirs[i], name)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return Manifest{}, nil, fmt.Errorf("shard: %w", err)
		}
	}
	merged := first
	merged.Shard, merged.Rows, merged.Result = Spec{}, [2]int{0, first.N}, nil
	return merged, ms, merged.Write(out)
}

// Collect checks that dirs hold every shard of one run exactly once, as
// Merge does (with the same errors), and returns the first directory's
// manifest, the shards' manifests in shard order and their directories in
// the same order; it writes nothing. A command whose shards hold other
// outputs than rows (a grid's cells) merges them itself.
func Collect(dirs []string) (Manifest, []Manifest, []string, error) {
	if len(dirs) == 0 {
		return Manifest{}, nil, nil, fmt.Errorf("shard: no shard directories to merge")
	}
	byIndex := map[int]string{}
	var first Manifest
	var ms []Manifest
	for k, dir := range dirs {
		m, err := Read(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return Manifest{}, nil, nil, argError{fmt.Errorf("shard: %s is not a shard directory: give the shard-III-of-NNN directories, each with a %s, that a command run with --shard wrote under its --out", dir, ManifestName)}
		} else if err != nil {
			return Manifest{}, nil, nil, err
		}
		if _, err := check(m.Shard, "shard: "+dir); err != nil && m.Shard.On() {
			return Manifest{}, nil, nil, err
		}
		if k == 0 {
			first = m
			if !m.Shard.On() {
				return Manifest{}, nil, nil, argError{fmt.Errorf("shard: %s is not a shard (shard %q): give the shard-III-of-NNN directories of one run", dir, m.Shard)}
			}
			ms = make([]Manifest, m.Shard.Count)
		} else if f := otherRun(first, m); f != "" {
			return Manifest{}, nil, nil, argError{fmt.Errorf("shard: %s is a shard of another run than %s: %s", dir, dirs[0], f)}
		}
		if prev, dup := byIndex[m.Shard.Index]; dup {
			return Manifest{}, nil, nil, argError{fmt.Errorf("shard: shard %v is given twice: %s and %s", m.Shard, prev, dir)}
		}
		byIndex[m.Shard.Index] = dir
		ms[m.Shard.Index] = m
	}
	next := 0
	for i, m := range ms {
		dir, ok := byIndex[i]
		if !ok {
			return Manifest{}, nil, nil, argError{fmt.Errorf("shard: shard %d/%d is missing (expected %s, given %d directories)", i, first.Shard.Count, filepath.Base(Dir("", Spec{i, first.Shard.Count})), len(dirs))}
		}
		if m.Rows[0] != next || m.Rows[1] < m.Rows[0] {
			return Manifest{}, nil, nil, fmt.Errorf("shard: %s holds rows %d…%d, want rows from %d", dir, m.Rows[0], m.Rows[1]-1, next)
		}
		next = m.Rows[1]
	}
	if next != first.N {
		return Manifest{}, nil, nil, fmt.Errorf("shard: the shards hold rows 0…%d of n = %d", next-1, first.N)
	}
	partDirs := make([]string, len(ms))
	for i := range ms {
		partDirs[i] = byIndex[i]
	}
	return first, ms, partDirs, nil
}

func appendFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
