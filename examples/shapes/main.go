// Command shapes writes the small RGB image folder of docs/data.md: 16×16
// PNG images in two class subfolders, disc/ (a red disc) and square/ (a
// blue square), each shape of random size and place on a light background
// of random tint, drawn from rng.New(seed, rng.PurposeData). The shipped
// folder is its default output:
//
//	go run ./examples/shapes -out examples/shapes/images
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"

	"phasespace/rng"
)

func main() {
	n := flag.Int("n", 40, "images per class")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("out", "", "output folder (required; its class subfolders are created)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "shapes: -out is required")
		os.Exit(2)
	}
	files, err := images(*n, *seed)
	for name, b := range files {
		if err == nil {
			err = os.MkdirAll(filepath.Join(*out, filepath.Dir(name)), 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(*out, name), b, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shapes:", err)
		os.Exit(1)
	}
}

// images returns the PNG files of n images per class drawn with seed, by
// their path in the folder (disc/000.png, …, square/039.png).
func images(n int, seed uint64) (map[string][]byte, error) {
	const side = 16
	g := rng.New(seed, rng.PurposeData)
	out := map[string][]byte{}
	for i := 0; i < n; i++ {
		for _, class := range []string{"disc", "square"} {
			bg := color.NRGBA{byte(200 + g.IntN(56)), byte(200 + g.IntN(56)), byte(200 + g.IntN(56)), 255}
			r := 3 + 2.5*g.Float64()
			cx, cy := r+(side-2*r)*g.Float64(), r+(side-2*r)*g.Float64()
			m := image.NewNRGBA(image.Rect(0, 0, side, side))
			for y := 0; y < side; y++ {
				for x := 0; x < side; x++ {
					dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
					c := bg
					if class == "disc" && math.Hypot(dx, dy) <= r {
						c = color.NRGBA{200, 30, 30, 255}
					} else if class == "square" && math.Abs(dx) <= r*0.85 && math.Abs(dy) <= r*0.85 {
						c = color.NRGBA{30, 60, 200, 255}
					}
					m.SetNRGBA(x, y, c)
				}
			}
			var b bytes.Buffer
			if err := png.Encode(&b, m); err != nil {
				return nil, err
			}
			out[filepath.Join(class, fmt.Sprintf("%03d.png", i))] = b.Bytes()
		}
	}
	return out, nil
}
