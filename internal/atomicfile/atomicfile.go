// Package atomicfile writes files so that a reader sees either the old or
// the new content, never a partial file: data go to a temporary file in the
// same directory, which is synced and renamed over the destination; on any
// failure the temporary file is removed and the destination is untouched.
// Like the os package's, its errors name the path and carry no package
// prefix: every caller adds its own package's ("checkpoint: ", ...).
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFunc writes path with the output of write.
func WriteFunc(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-")
	if errors.Is(err, fs.ErrNotExist) {
		return pathErr(path, fmt.Errorf("writing %s: directory %s does not exist: %w", path, dir, fs.ErrNotExist))
	} else if err != nil {
		return pathErr(path, fmt.Errorf("writing %s: %w", path, err))
	}
	tmp := f.Name()
	f.Chmod(0o644) // CreateTemp makes 0600 files; outputs are ordinary files
	bw := bufio.NewWriter(f)
	werr := write(bw)
	if werr == nil {
		werr = bw.Flush()
	}
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp)
		return pathErr(path, fmt.Errorf("writing %s: %w (nothing written)", path, err))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return SyncDir(dir)
}

// Write writes data to path.
func Write(path string, data []byte) error {
	return WriteFunc(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// SyncDir fsyncs a directory so that renames inside it are durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", dir, err)
	}
	return nil
}

// PathError is a failure to write the file Path; its message is Err's,
// which names the path.
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return e.Err.Error() }
func (e *PathError) Unwrap() error { return e.Err }

// FilePath returns the path written.
func (e *PathError) FilePath() string { return e.Path }

func pathErr(path string, err error) error { return &PathError{Path: path, Err: err} }
