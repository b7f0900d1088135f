package checkpoint_test

import (
	"fmt"
	"os"

	"phasespace/checkpoint"
)

// Save two checkpoints keeping only the newest, then read it back verified.
func Example() {
	root, _ := os.MkdirTemp("", "checkpoint-example")
	defer os.RemoveAll(root)
	for step := int64(1); step <= 2; step++ {
		files := map[string][]byte{"weights.bin": []byte(fmt.Sprintf("weights of step %d", step))}
		if _, err := checkpoint.Save(root, step, files, map[string]int64{"step": step}, 1); err != nil {
			panic(err)
		}
	}
	c, skipped, err := checkpoint.Latest(root)
	if err != nil {
		panic(err)
	}
	var meta map[string]int64
	c.Meta(&meta)
	fmt.Println(c.Manifest.Step, string(c.Files["weights.bin"]), meta["step"], len(skipped))
	// Output: 2 weights of step 2 2 0
}
