package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"phasespace/dataset"
	"phasespace/evaluate"
	"phasespace/internal/atomicfile"
	"phasespace/model"
	"phasespace/sampler"
	"phasespace/sde"
	"phasespace/shard"
	"phasespace/toy"
)

// Run is one (SDE, objective) column of the grid.
type Run struct {
	SDE       sde.Kind
	Objective sde.Objective
}

// String returns "sde/objective", e.g. "cld/hsm".
func (r Run) String() string { return r.SDE.String() + "/" + r.Objective.String() }

// ParseRuns parses a comma-separated list of "sde/objective" runs.
func ParseRuns(list string) ([]Run, error) {
	var out []Run
	for _, s := range strings.Split(list, ",") {
		r, err := ParseRun(s)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// ParseRun parses "sde/objective".
func ParseRun(s string) (Run, error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return Run{}, fmt.Errorf("experiment: run %q is not sde/objective (e.g. cld/hsm)", s)
	}
	k, err := sde.ParseKind(a)
	if err != nil {
		return Run{}, fmt.Errorf("experiment: run %q: %w", s, err)
	}
	o, err := sde.ParseObjective(b)
	if err != nil {
		return Run{}, fmt.Errorf("experiment: run %q: %w", s, err)
	}
	return Run{k, o}, nil
}

// DefaultGridData returns the toy data sets of GridConfig's zero Data (a
// new slice at each call).
func DefaultGridData() []string {
	return []string{"checkerboard", "8gaussians", "diamond", "swissroll", "moons", "multimodal_swissroll"}
}

// DefaultGridRuns returns the SDE/objective columns of GridConfig's zero
// Runs (a new slice at each call).
func DefaultGridRuns() []Run {
	return []Run{{sde.VP, sde.DSM}, {sde.CLD, sde.HSM}, {sde.CLD, sde.DSM}, {sde.PSLD, sde.HSM}, {sde.PSLD, sde.DSM}}
}

// GridConfig configures Grid. Zero fields mean the defaults named.
type GridConfig struct {
	Out string // directory for the runs and results.md (required)
	// Data are toy sets or point files (.csv, .npy; dataset.OpenPointSet)
	// (nil: DefaultGridData()). A point file's cells train on its training
	// rows (the held-out split of model.Config with Seed) and are scored
	// against its held-out rows in the data's units.
	Data       []string
	Runs       []Run   // SDE/objective columns (nil: DefaultGridRuns()); PSLD uses Γ = 0.01, ν = 4.01
	Steps      int64   // training steps per cell (0: 5000)
	LR         float64 // learning rate (0: 3e-3), after a 200-step warm-up
	N          int     // evaluation points and samples (0: 2000)
	NFE        int     // SSCS NFE of the sample metrics (0: 200); VP uses the ODE sampler
	Seed       uint64
	RTol, ATol float64 // tolerances of the NLL solve (0: 1e-5 each)
	// Batch is the training batch size (0: model.DefaultBatch); a point
	// file needs enough training rows for one batch.
	Batch int
	// Rows receives each finished row as it is written (nil: discarded).
	Rows io.Writer
	// Shard, if set, makes this process train and evaluate only its part
	// of the cells (shard.Spec.Range of the cells in table order), so that
	// the shards of a job array share the grid; a later run without a shard
	// (or any shard) finds their cells finished and writes the whole table.
	Shard shard.Spec
}

// GridHeader is the header of results.md.
const GridHeader = "| data | SDE | objective | steps | NLL (nats) | true NLL, same points | H(p) | MMD² (floor) | ED (floor) | SW2 (floor) | train min |\n|---|---|---|---|---|---|---|---|---|---|---|\n"

// Grid trains and evaluates every (data, run) cell not finished earlier and
// rebuilds Out/results.md after each, returning its path. A toy cell is
// scored on fresh draws: NLL (exact divergence) beside the true NLL of the
// same points and H(p), and MMD², ED and SW2 of N samples beside their
// real-vs-real floors (evaluate.Samples). A point-file cell is scored on
// the file's held-out rows in the data's units: the NLL of min(N, held-out)
// rows (evaluate.HeldOutNLL; true NLL and H(p) unknown, "–") and the
// sample metrics against the held-out rows beside the floor of as many
// training rows (evaluate.HeldOutSamples; for d = 1 the SW2 cell is the
// 1-D W2). Each cell also draws its samples into samples.png
// (WritePoints: a scatter for d = 2, a histogram for d = 1, a pair plot
// for d > 2). Data that cannot be scored is refused before any training
// (a *ConfigError, Field Data, or a point file's *dataset.FileError). A cell is finished
// when its directory holds row.md. Each cell records the settings it was
// made with (settings.json: steps, lr, n, nfe, seed, batch, rtol, atol);
// a cell of this grid recorded with other settings is refused before any
// training (a *ConfigError naming the field and the cell: use a new Out or
// delete the cell); a cell without the record is reused. Cancelling ctx stops training with a
// checkpoint; Grid then returns an error and never evaluates a
// half-trained cell.
func Grid(ctx context.Context, c GridConfig) (string, error) {
	if c.Out == "" {
		return "", fmt.Errorf("experiment: Out is required: a directory for the runs and results.md")
	}
	data, runs := c.Data, c.Runs
	if data == nil {
		data = DefaultGridData()
	}
	if runs == nil {
		runs = DefaultGridRuns()
	}
	steps, lr, n, nfe := orInt64(c.Steps, 5000), orFloat(c.LR, 3e-3), orInt(c.N, 2000), orInt(c.NFE, 200)
	rows := c.Rows
	if rows == nil {
		rows = io.Discard
	}
	if steps < 1 || n < 2 || nfe < 2 {
		return "", fmt.Errorf("experiment: steps %d, n %d, nfe %d: want steps >= 1, n >= 2, nfe >= 2", steps, n, nfe)
	}
	batch := orInt(c.Batch, model.DefaultBatch)
	if batch < 1 || batch > 1_000_000 {
		return "", configErr("Batch", "= %d: want 1..1000000 (0: %d)", c.Batch, model.DefaultBatch)
	}
	if err := checkGridData(data, c.Seed, batch); err != nil { // before any training
		return "", err
	}
	settings := cellSettings{Steps: steps, LR: lr, N: n, NFE: nfe, Seed: c.Seed, Batch: batch, RTol: orFloat(c.RTol, 1e-5), ATol: orFloat(c.ATol, 1e-5)}
	for _, d := range data {
		for _, r := range runs {
			if err := settings.check(cellDir(c.Out, d, r)); err != nil {
				return "", err
			}
		}
	}
	if err := os.MkdirAll(c.Out, 0o755); err != nil {
		return "", fmt.Errorf("experiment: %w", err)
	}
	table := filepath.Join(c.Out, "results.md")
	var cells []string // this grid's cell directories, in table order
	for _, d := range data {
		for _, r := range runs {
			cells = append(cells, cellDir(c.Out, d, r))
		}
	}
	if err := rebuildGrid(table, c.Out, cells); err != nil {
		return "", err
	}
	lo, hi := c.Shard.Range(len(cells), 1)
	for i, d := range data {
		for j, r := range runs {
			dir := cellDir(c.Out, d, r)
			if k := i*len(runs) + j; k < lo || k >= hi {
				continue // another shard's cell
			}
			if _, err := os.Stat(filepath.Join(dir, "row.md")); err == nil {
				continue // finished earlier
			}
			if err := settings.write(dir); err != nil {
				return "", err
			}
			row, err := gridCell(ctx, c, d, r, dir, steps, lr, n, nfe, batch)
			if err != nil {
				return "", err
			}
			if err := atomicfile.Write(filepath.Join(dir, "row.md"), []byte(row)); err != nil {
				return "", fmt.Errorf("experiment: %w", err)
			}
			if err := rebuildGrid(table, c.Out, cells); err != nil {
				return "", err
			}
			fmt.Fprint(rows, row)
		}
	}
	return table, nil
}

// cellDir is a cell's directory: out/NAME-sde-objective, NAME the toy
// set or the point file's base name (helix.csv).
func cellDir(out, data string, r Run) string {
	return filepath.Join(out, filepath.Base(data)+"-"+r.SDE.String()+"-"+r.Objective.String())
}

// checkGridData refuses, before any training, data the grid cannot score:
// a name that is neither a toy set nor a point file (an image set or an
// unknown name: a *ConfigError), an unreadable or invalid point file (its
// *dataset.FileError), a file too small for the split and one batch, and
// two point files of one base name (their cells would share a directory).
func checkGridData(data []string, seed uint64, batch int) error {
	base := map[string]string{}
	for _, d := range data {
		if !dataset.IsPoints(d) {
			if _, err := toy.Sample(d, 1, 0); err != nil {
				return configErr("Data", "%q is neither a toy set (%s) nor a point file (.csv, .npy): the results grid trains the MLP on these; image sets are compared with imagebench",
					d, strings.Join(toy.Names(), ", "))
			}
			continue
		}
		_, err := dataset.OpenPointSet(d, dataset.PointOptions{Seed: seed, Batch: batch})
		var fe *dataset.FileError
		if errors.As(err, &fe) {
			return err
		} else if err != nil {
			return configErr("Data", "%v", err)
		}
		if other, ok := base[filepath.Base(d)]; ok && other != d {
			return configErr("Data", "%s and %s share the name %s, so their cells would share a directory: rename one", other, d, filepath.Base(d))
		}
		base[filepath.Base(d)] = d
	}
	return nil
}

// GridModel is the training configuration of one grid cell (batch 0:
// model.DefaultBatch).
func GridModel(data string, r Run, steps int64, lr float64, seed uint64, batch int, dir string) (model.Config, error) {
	spec := model.SDESpec{Kind: r.SDE, NumericalEps: model.Float(model.DefaultToyNumericalEps)}
	if r.SDE == sde.PSLD {
		spec.Friction, spec.Nu = model.Float(0.01), model.Float(4.01)
	}
	p, err := spec.Process()
	if err != nil {
		return model.Config{}, fmt.Errorf("experiment: %w", err)
	}
	return model.Config{Data: data, Process: p, Objective: r.Objective, Steps: steps, Batch: batch, LR: lr, Warmup: 200, Clip: 1,
		Seed: seed, OutDir: dir, CheckpointEvery: 1000}, nil
}

// gridCell trains one cell and returns its table row.
func gridCell(ctx context.Context, c GridConfig, data string, r Run, dir string, steps int64, lr float64, n, nfe, batch int) (string, error) {
	mc, err := GridModel(data, r, steps, lr, c.Seed, batch, dir)
	if err != nil {
		return "", err
	}
	t0 := time.Now()
	st, err := model.Train(ctx, mc)
	if err != nil {
		return "", fmt.Errorf("experiment: %s: %w", dir, err)
	}
	if st.Step < steps { // stopped: never evaluate a half-trained cell
		return "", fmt.Errorf("experiment: %s: training stopped at step %d of %d; run the grid again to continue", dir, st.Step, steps)
	}
	minutes := time.Since(t0).Minutes()
	m, err := model.Load(dir)
	if err != nil {
		return "", err
	}
	var ps *dataset.PointSet // a point file's rows, split as in training
	if dataset.IsPoints(data) {
		if ps, err = m.PointSet(""); err != nil {
			return "", fmt.Errorf("experiment: %s: %w", dir, err)
		}
	}
	nc := evaluate.NLLConfig{N: n, Seed: c.Seed + 7, RTol: c.RTol, ATol: c.ATol}
	var nll *evaluate.NLLResult
	if ps != nil {
		nll, err = evaluate.HeldOutNLL(m.Process, m.Score, m.Standardisation(), ps, nc)
	} else {
		nll, err = evaluate.NLL(m.Process, m.Score, data, nc)
	}
	if err != nil {
		return "", fmt.Errorf("experiment: %s: %w", dir, err)
	}
	method := sampler.SSCS
	if m.Process.Kind == sde.VP {
		method = sampler.ODE
	}
	x, _, err := sampler.Sample(sampler.Config{Process: m.Process, Model: m.Score, Method: method, NFE: nfe, Seed: c.Seed + 8}, n)
	if err != nil {
		return "", fmt.Errorf("experiment: sampling %s: %w", dir, err)
	}
	m.Unstandardise(x) // a point file's units (a toy set: unchanged)
	sc := evaluate.SampleConfig{Data: data, N: n, Seed: c.Seed + 9, Metrics: []evaluate.SampleMetric{evaluate.ED, evaluate.MMD, evaluate.SW2}}
	var s *evaluate.SampleResult
	if ps != nil {
		s, err = evaluate.HeldOutSamples(x, ps, sc)
	} else {
		s, err = evaluate.Samples(x, sc)
	}
	if err != nil {
		return "", fmt.Errorf("experiment: %s: %w", dir, err)
	}
	title := fmt.Sprintf("%s, %s, %d steps, %v %d NFE", data, r, steps, method, nfe)
	if method == sampler.ODE {
		title = fmt.Sprintf("%s, %s, %d steps, probability-flow ODE", data, r, steps)
	}
	if err := WritePoints(filepath.Join(dir, "samples.png"), title, x, m.Meta.Dim, m.Columns()); err != nil {
		return "", err
	}
	return GridRow(data, r, steps, nll, s, minutes), nil
}

// cellSettings are the settings a grid cell was made with (with their
// defaults), recorded in its settings.json.
type cellSettings struct {
	Steps int64   `json:"steps"`
	LR    float64 `json:"lr"`
	N     int     `json:"n"`
	NFE   int     `json:"nfe"`
	Seed  uint64  `json:"seed"`
	Batch int     `json:"batch"`
	RTol  float64 `json:"rtol"`
	ATol  float64 `json:"atol"`
}

// check refuses the cell directory dir when its settings.json records
// other settings than s (a *ConfigError naming the first field that
// differs); a cell without the record, or none at all, passes.
func (s cellSettings) check(dir string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "settings.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var old cellSettings
	if err == nil {
		err = json.Unmarshal(raw, &old)
	}
	if err != nil {
		return fmt.Errorf("experiment: cell %s: settings.json: %w (delete the cell to redo it)", dir, err)
	}
	a, b := reflect.ValueOf(s), reflect.ValueOf(old)
	for i := range a.NumField() {
		if a.Field(i).Interface() != b.Field(i).Interface() {
			return configErr(a.Type().Field(i).Name, "= %v: cell %s was made with %v (its settings.json): use a new --out, or delete the cell directory to redo it",
				a.Field(i).Interface(), dir, b.Field(i).Interface())
		}
	}
	return nil
}

// write records s in dir/settings.json (creating dir).
func (s cellSettings) write(dir string) error {
	raw, err := json.MarshalIndent(s, "", "  ")
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err == nil {
		err = atomicfile.Write(filepath.Join(dir, "settings.json"), append(raw, '\n'))
	}
	if err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// GridRow formats one row of results.md.
func GridRow(data string, r Run, steps int64, nll *evaluate.NLLResult, s *evaluate.SampleResult, minutes float64) string {
	trueNLL, h := "–", "–"
	if nll.TrueNLL != nil {
		trueNLL = fmt.Sprintf("%.3f", *nll.TrueNLL)
	}
	if nll.Entropy != nil {
		h = fmt.Sprintf("%.4f", *nll.Entropy)
	}
	sw2 := "–"
	if s.SW2 != nil {
		sw2 = fmt.Sprintf("%.4f (%.4f)", s.SW2.Value, s.SW2.Floor)
		if s.Dim == 1 {
			sw2 += " 1-D W2"
		}
	}
	return fmt.Sprintf("| %s | %s | %s | %d | %.3f ± %.3f | %s | %s | %.4f (%.4f) | %.4f (%.4f) | %s | %.1f |\n",
		data, r.SDE, r.Objective, steps, nll.NLL, nll.SE, trueNLL, h, s.MMD2.Value, s.MMD2.Floor, s.ED.Value, s.ED.Floor, sw2, minutes)
}

// rebuildGrid writes results.md from the cells' row.md files: this grid's
// first, in grid order, then rows of earlier grids in the same directory,
// so an interrupted or repeated grid never duplicates or loses a row.
func rebuildGrid(table, out string, cells []string) error {
	var b strings.Builder
	b.WriteString(GridHeader)
	seen := map[string]bool{}
	others, _ := filepath.Glob(filepath.Join(out, "*", "row.md"))
	for i := range others {
		others[i] = filepath.Dir(others[i])
	}
	for _, dir := range append(append([]string{}, cells...), others...) {
		if seen[dir] {
			continue
		}
		seen[dir] = true
		if raw, err := os.ReadFile(filepath.Join(dir, "row.md")); err == nil {
			b.WriteString(padRow(string(raw)))
		}
	}
	if err := atomicfile.Write(table, []byte(b.String())); err != nil {
		return fmt.Errorf("experiment: %w", err)
	}
	return nil
}

// padRow gives a row written before the SW2 column existed (10 cells) an
// empty SW2 cell, so that the table stays rectangular; other rows are
// returned as they are.
func padRow(row string) string {
	if strings.Count(row, "|") != 11 {
		return row
	}
	i := strings.LastIndex(strings.TrimRight(row, "|\n "), "|")
	return row[:i] + "| – " + row[i:]
}

func orInt(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func orInt64(v, d int64) int64 {
	if v == 0 {
		return d
	}
	return v
}

func orFloat(v, d float64) float64 {
	if v == 0 {
		return d
	}
	return v
}
