package checkpoint

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadManifest: an arbitrary manifest never panics or allocates beyond
// the files present, and is accepted only if every listed file verifies.
func FuzzLoadManifest(f *testing.F) {
	f.Add([]byte(`{"format":1,"step":3,"files":{"w":{"size":3,"sha256":"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3"}}}`))
	f.Add([]byte(`{"format":1,"files":{"../x":{"size":1,"sha256":""}}}`))
	f.Add([]byte(`{"format":1,"files":{"w":{"size":-1}}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, manifest []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "w"), []byte("123"), 0o644)
		os.WriteFile(filepath.Join(dir, ManifestName), manifest, 0o644)
		c, err := Load(dir)
		if err != nil {
			return
		}
		for name, data := range c.Files {
			if name != "w" || string(data) != "123" {
				t.Fatalf("accepted file %q = %q", name, data)
			}
		}
	})
}
