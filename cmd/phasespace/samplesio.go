package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"phasespace/internal/atomicfile"
)

// writeFileAtomic writes path through a synced temporary file in the same
// directory and a rename: on any failure (disk full, permissions) no partial
// file is left behind and an existing file keeps its old content.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	if err := atomicfile.WriteFunc(path, write); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	return nil
}

// writeSamplesCSV writes n×d samples, one per line, comma-separated, with
// full float64 precision.
func writeSamplesCSV(path string, x []float64, d int) error {
	return writeFileAtomic(path, func(w io.Writer) error {
		buf := make([]byte, 0, 64)
		for i := 0; i < len(x)/d; i++ {
			buf = buf[:0]
			for j := 0; j < d; j++ {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = strconv.AppendFloat(buf, x[i*d+j], 'g', -1, 64)
			}
			buf = append(buf, '\n')
			if _, err := w.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
}

// maxCSVSamples bounds what readSamplesCSV accepts (10 million rows).
const maxCSVSamples = 10_000_000

// readSamplesCSV reads a samples file written by writeSamplesCSV (or any
// CSV of numbers with a constant number of columns; a first line that is
// not numeric is taken as a header). Errors name the file, line and problem.
func readSamplesCSV(path string) ([]float64, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, fmt.Errorf("--samples: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var out []float64
	d, line := 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		fields := strings.Split(text, ",")
		row := make([]float64, len(fields))
		bad := -1
		for j, s := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				bad = j
				break
			}
			row[j] = v
		}
		if bad >= 0 {
			if len(out) == 0 && d == 0 && line == 1 {
				continue // header
			}
			return nil, 0, fmt.Errorf("%s:%d: column %d is %q, not a number", path, line, bad+1, fields[bad])
		}
		if d == 0 {
			d = len(row)
		} else if len(row) != d {
			return nil, 0, fmt.Errorf("%s:%d: %d columns, earlier lines have %d", path, line, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, fmt.Errorf("%s:%d: column %d is %v: samples must be finite", path, line, j+1, v)
			}
		}
		out = append(out, row...)
		if len(out)/d > maxCSVSamples {
			return nil, 0, fmt.Errorf("%s: more than %d samples", path, maxCSVSamples)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, 0, fmt.Errorf("%s:%d: %w", path, line+1, err)
	}
	if len(out) == 0 {
		return nil, 0, fmt.Errorf("%s: no samples", path)
	}
	return out, d, nil
}
