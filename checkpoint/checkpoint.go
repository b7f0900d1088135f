// Package checkpoint stores training state on disk without ever leaving a
// partial checkpoint behind: each checkpoint is a directory of named files
// plus a manifest with their SHA-256 hashes, written into a temporary
// directory, fsynced and renamed into place; a "latest" pointer is replaced
// atomically; older checkpoints beyond a keep-last-N limit are pruned. On
// load every file's size and hash are checked, so a truncated or corrupted
// checkpoint is refused with an error that names the file.
package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"phasespace/internal/atomicfile"
	"phasespace/internal/faulthook"
)

// ManifestName is the manifest file inside each checkpoint directory.
const ManifestName = "manifest.json"

// latestName is the pointer file naming the newest complete checkpoint.
const latestName = "latest"

// maxFileSize bounds any file read back (guards against absurd sizes in a
// corrupted manifest).
const maxFileSize = 1 << 34

// Manifest lists a checkpoint's files and carries caller metadata.
type Manifest struct {
	Format int                 `json:"format"`
	Step   int64               `json:"step"`
	Files  map[string]FileInfo `json:"files"`
	Meta   json.RawMessage     `json:"meta,omitempty"`
}

// FileInfo is one file's size and SHA-256.
type FileInfo struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Checkpoint is a loaded checkpoint.
type Checkpoint struct {
	Dir      string
	Manifest Manifest
	Files    map[string][]byte
}

// dirName returns the directory name of the checkpoint at step.
func dirName(step int64) string { return fmt.Sprintf("step-%010d", step) }

// Save writes a checkpoint for step under root (created if needed) with the
// given files and metadata, points "latest" at it and prunes all but the
// newest keep checkpoints (keep <= 0 keeps all). It returns the directory.
// Errors: metadata that does not encode as JSON, a file name that is not a
// plain base name, and any file-system failure; a failure before the new
// directory is renamed into place leaves the previous checkpoint as it was
// (docs/reliability.md, No lost work).
func Save(root string, step int64, files map[string][]byte, meta any, keep int) (string, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	m := Manifest{Format: 1, Step: step, Files: map[string]FileInfo{}}
	if meta != nil {
		raw, err := json.Marshal(meta)
		if err != nil {
			return "", fmt.Errorf("checkpoint: encoding metadata: %w", err)
		}
		m.Meta = raw
	}
	tmp, err := os.MkdirTemp(root, ".tmp-"+dirName(step)+"-")
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	names := make([]string, 0, len(files))
	for name := range files {
		if name == ManifestName || name == "" || strings.ContainsAny(name, `/\`) || name[0] == '.' {
			return "", fmt.Errorf("checkpoint: invalid file name %q", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		data := files[name]
		if err := writeSynced(filepath.Join(tmp, name), data); err != nil {
			return "", err
		}
		sum := sha256.Sum256(data)
		m.Files[name] = FileInfo{Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	if err := writeSynced(filepath.Join(tmp, ManifestName), append(raw, '\n')); err != nil {
		return "", err
	}
	if err := syncDir(tmp); err != nil {
		return "", err
	}
	faulthook.BeforeRename(tmp) // fault tests pause here; nothing in normal runs
	final := filepath.Join(root, dirName(step))
	if _, err := os.Stat(final); err == nil {
		// Re-saving a step replaces it: move the old one out of the way first.
		old := final + ".old"
		os.RemoveAll(old)
		if err := os.Rename(final, old); err != nil {
			return "", fmt.Errorf("checkpoint: %w", err)
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(tmp, final); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	ok = true
	if err := syncDir(root); err != nil {
		return "", err
	}
	if err := WriteFileAtomic(filepath.Join(root, latestName), []byte(dirName(step)+"\n")); err != nil {
		return "", err
	}
	if keep > 0 {
		if err := prune(root, keep); err != nil {
			return final, err
		}
	}
	return final, nil
}

// WriteFileAtomic writes data to path atomically (see package atomicfile);
// it returns the file-system error, if any, prefixed with "checkpoint: ",
// with path unchanged.
func WriteFileAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("checkpoint: writing %s: %w", path, err)
	}
	return nil
}

func syncDir(dir string) error {
	if err := atomicfile.SyncDir(dir); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// steps lists the checkpoint steps present under root, newest first.
func steps(root string) ([]int64, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "step-") || strings.HasSuffix(e.Name(), ".old") {
			continue
		}
		s, err := strconv.ParseInt(strings.TrimPrefix(e.Name(), "step-"), 10, 64)
		if err == nil {
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] > out[j] })
	return out, nil
}

func prune(root string, keep int) error {
	all, err := steps(root)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	for i, s := range all {
		if i >= keep {
			if err := os.RemoveAll(filepath.Join(root, dirName(s))); err != nil {
				return fmt.Errorf("checkpoint: pruning: %w", err)
			}
		}
	}
	// Leftovers of interrupted saves.
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
	return nil
}

// Load reads and verifies the checkpoint in dir: every file of the manifest
// must exist with its recorded size and SHA-256. Errors name the directory
// and the file, and say whether the manifest is invalid, a file is missing,
// truncated or corrupted, or the directory is not a phasespace checkpoint.
func Load(dir string) (*Checkpoint, error) {
	raw, err := readBounded(filepath.Join(dir, ManifestName), 1<<24)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("checkpoint: %s: manifest is not valid JSON (%v): the checkpoint is corrupted", dir, err)
	}
	if m.Format != 1 || m.Files == nil {
		return nil, fmt.Errorf("checkpoint: %s: manifest has format %d and %d files: not a phasespace checkpoint", dir, m.Format, len(m.Files))
	}
	c := &Checkpoint{Dir: dir, Manifest: m, Files: map[string][]byte{}}
	for name, info := range m.Files {
		if name == "" || strings.ContainsAny(name, `/\`) || name[0] == '.' {
			return nil, fmt.Errorf("checkpoint: %s: manifest names an invalid file %q", dir, name)
		}
		if info.Size < 0 || info.Size > maxFileSize {
			return nil, fmt.Errorf("checkpoint: %s: manifest gives %s an invalid size %d", dir, name, info.Size)
		}
		path := filepath.Join(dir, name)
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("checkpoint: %s: %w", dir, err)
		}
		if st.Size() != info.Size {
			return nil, fmt.Errorf("checkpoint: %s: %s has %d bytes, manifest says %d: the file is truncated or corrupted", dir, name, st.Size(), info.Size)
		}
		data, err := readBounded(path, info.Size)
		if err != nil {
			return nil, fmt.Errorf("checkpoint: %s: %w", dir, err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != info.SHA256 {
			return nil, fmt.Errorf("checkpoint: %s: %s does not match its SHA-256 in the manifest: the file is corrupted", dir, name)
		}
		c.Files[name] = data
	}
	return c, nil
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err) // the caller adds the prefix
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, limit)
	}
	return data, nil
}

// Latest loads the checkpoint that "latest" names under root. If that one
// fails verification, it falls back to the newest checkpoint that passes and
// reports the rejected ones in skipped. It returns os.ErrNotExist (wrapped)
// when root holds no checkpoint.
func Latest(root string) (c *Checkpoint, skipped []error, err error) {
	var order []string
	if raw, err := os.ReadFile(filepath.Join(root, latestName)); err == nil {
		order = append(order, strings.TrimSpace(string(raw)))
	}
	all, err := steps(root)
	if err != nil && len(order) == 0 {
		return nil, nil, fmt.Errorf("checkpoint: no checkpoint in %s: %w", root, os.ErrNotExist)
	}
	for _, s := range all {
		order = append(order, dirName(s))
	}
	seen := map[string]bool{}
	for _, name := range order {
		if seen[name] || name == "" || strings.ContainsAny(name, `/\`) {
			continue
		}
		seen[name] = true
		c, err := Load(filepath.Join(root, name))
		if err == nil {
			return c, skipped, nil
		}
		skipped = append(skipped, err)
	}
	if len(skipped) > 0 {
		return nil, skipped, fmt.Errorf("checkpoint: no valid checkpoint in %s (%d rejected; first: %v)", root, len(skipped), skipped[0])
	}
	return nil, nil, fmt.Errorf("checkpoint: no checkpoint in %s: %w", root, os.ErrNotExist)
}

// Meta decodes the caller metadata of c (JSON) into v; it returns an error
// when the checkpoint has no metadata or it does not decode into v.
func (c *Checkpoint) Meta(v any) error {
	if len(c.Manifest.Meta) == 0 {
		return fmt.Errorf("checkpoint: %s: no metadata", c.Dir)
	}
	if err := json.Unmarshal(c.Manifest.Meta, v); err != nil {
		return fmt.Errorf("checkpoint: %s: metadata: %w", c.Dir, err)
	}
	return nil
}
