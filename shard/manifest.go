package shard

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"phasespace/internal/atomicfile"
)

// ManifestName is the file that records a finished shard in its directory.
const ManifestName = "manifest.json"

// Manifest describes one shard's outputs; a shard directory holds it once
// every one of Files is written, so its presence marks the shard done.
type Manifest struct {
	Command string `json:"command"` // the command that wrote the shard, e.g. "sample"
	// Model identifies the model: "exact 8gaussians", or a checkpoint's data,
	// step and the SHA-256 of its files.
	Model      string `json:"model"`
	Seed       uint64 `json:"seed"`
	N          int    `json:"n"`           // rows of the whole run
	Shard      Spec   `json:"shard"`       // this shard (the zero Spec after Merge)
	Rows       [2]int `json:"rows"`        // the rows [lo, hi) this shard holds
	ConfigHash string `json:"config_hash"` // every other setting that changes the output (FlagHash)
	// Settings are the values behind ConfigHash (FlagSettings), so that a
	// mismatch can name the setting (absent in older manifests).
	Settings map[string]string `json:"settings,omitempty"`
	Files    []string          `json:"files"` // outputs in the shard directory, each rows lo…hi−1 in order
	// Result is the command's own record of the shard (e.g. its solver
	// cost and the fields of its report), for the command's merge.
	Result json.RawMessage `json:"result,omitempty"`
}

// Dir returns the directory of shard s under out: out/shard-III-of-NNN.
func Dir(out string, s Spec) string {
	return filepath.Join(out, fmt.Sprintf("shard-%03d-of-%03d", s.Index, s.Count))
}

// fileExts are the extensions of the files the commands write; an output
// directory named with one is almost surely a mistake.
var fileExts = []string{".csv", ".npy", ".png", ".jpg", ".jpeg", ".json", ".md", ".txt", ".safetensors"}

// CheckOut reports whether out can hold the directories of shard s: it
// must be given, and must not end in the extension of a file the commands
// write (".csv", ".png", ...), since a shard writes a directory
// out/shard-III-of-NNN. A dotted directory name (run.v2) is accepted.
func CheckOut(out string, s Spec) error {
	if out == "" {
		return fmt.Errorf("a shard (%v) writes into a directory: give one", s)
	}
	if ext := strings.ToLower(filepath.Ext(out)); slices.Contains(fileExts, ext) {
		return fmt.Errorf("%s names a %s file, but a shard (%v) writes a directory (%s): give a directory", out, ext, s, Dir(out, s))
	}
	return nil
}

// FlagSettings returns the values of every flag of set except those named
// in skip, by flag name: what FlagHash hashes.
func FlagSettings(set *flag.FlagSet, skip ...string) map[string]string {
	out := map[string]string{}
	set.VisitAll(func(f *flag.Flag) {
		if !slices.Contains(skip, f.Name) {
			out[f.Name] = f.Value.String()
		}
	})
	return out
}

// FlagHash returns a hex SHA-256 of FlagSettings(set, skip...) (one
// name=value line per flag, in name order): two shards of one run have the
// same hash, and a changed setting changes it.
func FlagHash(set *flag.FlagSet, skip ...string) string {
	settings := FlagSettings(set, skip...)
	h := sha256.New()
	for _, k := range slices.Sorted(maps.Keys(settings)) { // VisitAll's order
		fmt.Fprintf(h, "%s=%q\n", k, settings[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Write writes m as dir/manifest.json, atomically; call it after the files.
func (m Manifest) Write(dir string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("shard: %w", err)
	}
	if err := atomicfile.Write(filepath.Join(dir, ManifestName), append(b, '\n')); err != nil {
		return fmt.Errorf("shard: %w", err)
	}
	return nil
}

// Read reads dir/manifest.json. A missing manifest wraps fs.ErrNotExist.
func Read(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return m, fmt.Errorf("shard: %s: %w (not a finished shard)", dir, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, fmt.Errorf("shard: %s: %w", filepath.Join(dir, ManifestName), err)
	}
	return m, nil
}

// Done reports whether dir holds the finished shard m (same manifest, all
// files present), so that a rerun can skip it. A directory without a
// manifest is not done; one whose manifest describes another run is an
// error naming the first field that differs.
func Done(dir string, m Manifest) (bool, error) {
	have, err := Read(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if field := differs(have, m); field != "" {
		return false, fmt.Errorf("shard: %s holds shard %v of another run (%s differs); remove it or write elsewhere", dir, have.Shard, field)
	}
	for _, f := range m.Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false, nil // the manifest of an earlier run that lost a file: redo
		}
	}
	return true, nil
}

// differs names the first field in which a and b describe different runs
// or different shards ("" when they agree).
func differs(a, b Manifest) string {
	if f := otherRun(a, b); f != "" {
		return f
	}
	switch {
	case a.Shard != b.Shard:
		return "shard"
	case a.Rows != b.Rows:
		return "rows"
	}
	return ""
}

// otherRun names the first field in which a and b describe different runs
// ("" when they are shards of one run).
func otherRun(a, b Manifest) string {
	switch {
	case a.Command != b.Command:
		return fmt.Sprintf("command %q vs %q", a.Command, b.Command)
	case a.Model != b.Model:
		return fmt.Sprintf("model %q vs %q", a.Model, b.Model)
	case a.Seed != b.Seed:
		return fmt.Sprintf("seed %d vs %d", a.Seed, b.Seed)
	case a.N != b.N:
		return fmt.Sprintf("n %d vs %d", a.N, b.N)
	case a.Shard.Count != b.Shard.Count:
		return fmt.Sprintf("shard count %d vs %d", a.Shard.Count, b.Shard.Count)
	case a.ConfigHash != b.ConfigHash:
		var diff []string
		for _, k := range slices.Sorted(maps.Keys(a.Settings)) {
			if bv, ok := b.Settings[k]; ok && bv != a.Settings[k] {
				diff = append(diff, fmt.Sprintf("--%s %q vs %q", k, a.Settings[k], bv))
			}
		}
		if len(diff) > 0 {
			return "settings: " + strings.Join(diff, ", ")
		}
		return fmt.Sprintf("settings (config hash %s vs %s)", a.ConfigHash, b.ConfigHash)
	case !slices.Equal(a.Files, b.Files):
		return fmt.Sprintf("files %v vs %v", a.Files, b.Files)
	}
	return ""
}

// Run makes the shard *m in dir unless it is Done there: it creates dir,
// calls write (which writes m.Files into dir, each atomically, and may set
// m.Result) and then writes the manifest. skipped reports a finished shard
// left untouched, so a rerun of a finished shard does nothing; *m is then
// the manifest found.
func Run(dir string, m *Manifest, write func() error) (skipped bool, err error) {
	if done, err := Done(dir, *m); done || err != nil {
		if done {
			*m, err = Read(dir)
		}
		return done, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("shard: %w", err)
	}
	if err := write(); err != nil {
		return false, err
	}
	return false, m.Write(dir)
}
