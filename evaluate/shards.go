package evaluate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"time"

	"phasespace/classifier"
	"phasespace/dataset"
	"phasespace/featuremetrics"
	"phasespace/likelihood"
	"phasespace/model"
	"phasespace/score"
	"phasespace/sde"
	"phasespace/shard"
)

// Shard is one shard of an evaluation: the directory of the shards (its
// own is shard.Dir(Out, Manifest.Shard)) and its manifest, whose Command,
// Model, Seed, Shard and ConfigHash the caller sets (N, Rows, Files and
// Result are filled in here). From says where the shard came from
// (shard.Resolve), for the report; Fields are the report's other fields
// (model, process), which MergeShards copies (NLLShard, PointsShard).
type Shard struct {
	Out      string
	Manifest shard.Manifest
	From     string
	Fields   map[string]any
}

// Shard kinds of shardRecord.Kind.
const (
	kindNLL        = ""           // NLL of fresh toy points under an exact score (NLLShard)
	kindCheckpoint = "checkpoint" // CheckpointShard
	kindPoints     = "points"     // PointsShard
)

// shardRecord is what an evaluation shard keeps in its manifest's Result.
type shardRecord struct {
	Kind       string                `json:"kind,omitempty"`
	Fields     map[string]any        `json:"fields"` // the report's other fields (model, process)
	Data       string                `json:"data"`
	NFE        int                   `json:"nfe"` // the likelihood solve's (0: none in this shard)
	Divergence likelihood.Divergence `json:"divergence"`
	Bound      Bound                 `json:"bound"`
	IW         int                   `json:"iw"`
	// A checkpoint's shard: its directory and evaluation, and the sampler's
	// NFE and time in this shard.
	Ckpt       string            `json:"ckpt,omitempty"`
	Config     *CheckpointConfig `json:"config,omitempty"`
	SamplerNFE int               `json:"sampler_nfe,omitempty"`
	Wall       time.Duration     `json:"sampler_wall_ns,omitempty"`
	// A points shard: the file, its solves per point and log-determinant.
	Points   string  `json:"points,omitempty"`
	Replicas int     `json:"replicas,omitempty"`
	LogDet   float64 `json:"log_det,omitempty"`
}

func (r *shardRecord) setLikelihood(l *Likelihood) {
	r.NFE, r.Divergence, r.Bound, r.IW = l.NFE, l.Divergence, l.Bound, l.IW
}

// run writes the shard's files (write: into its directory) unless it is
// done there (shard.Run), and returns its report: its number, where it came
// from, its rows (under rowsKey), its directory and whether it was already
// done.
func (s Shard) run(n int, rows [2]int, files []string, rowsKey string, write func(dir string) (shardRecord, error)) (map[string]any, error) {
	if err := shard.CheckOut(s.Out, s.Manifest.Shard); err != nil {
		return nil, &ConfigError{Field: "Out", Err: err}
	}
	m, dir := s.Manifest, shard.Dir(s.Out, s.Manifest.Shard)
	m.N, m.Rows, m.Files = n, rows, files
	skipped, err := shard.Run(dir, &m, func() error {
		rec, err := write(dir)
		if err == nil {
			m.Result, err = json.Marshal(rec)
		}
		return err
	})
	return map[string]any{"shard": m.Shard.String(), "from": s.From, rowsKey: m.Rows, "dir": dir, "already_done": skipped}, err
}

// NLLShard evaluates the points of shard s of the c.N points of data
// (NLLPoints; the shard's points are shard.Spec.Range of N on the grid of
// c.Batch, so that its chunks are those of the single run) into its
// directory's nll.csv, one line per point: its NLL and, where the density
// is known, its log-probability. An empty s.Out is a *ConfigError (Out). A shard already done
// is skipped (shard.Run). It returns the report of the shard (its number,
// where it came from, its points and directory, whether it was already
// done).
func NLLShard(s Shard, p *sde.Process, mod score.VJPModel, data string, c NLLConfig) (map[string]any, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	lo, hi := s.Manifest.Shard.Range(c.N, c.Batch)
	return s.run(c.N, [2]int{lo, hi}, []string{"nll.csv"}, "points", func(dir string) (shardRecord, error) {
		rec := shardRecord{Kind: kindNLL, Fields: s.Fields, Data: data}
		var nll, logp []float64
		if lo < hi {
			var l *Likelihood
			var err error
			if nll, logp, l, err = NLLPoints(p, mod, data, c, lo, hi); err != nil {
				return rec, err
			}
			rec.setLikelihood(l)
		}
		return rec, writeColumns(filepath.Join(dir, "nll.csv"), nll, logp)
	})
}

// CheckpointShard evaluates the rows of shard s of Checkpoint(lm, c) into
// its directory, for MergeShards: nll.csv (per NLL point: its NLL and, for
// toy data, the density's log-probability), samples.csv (the samples of
// the sample metrics, in the data's units), features.csv (per sample of
// the feature metrics: its predicted class, then its classifier.FeatureDim
// features) and bpd.csv (per test image: its NLL in nats), for the metrics
// requested. Every file holds the shard's part of its rows in order
// (shard.Spec.Range, on the chunk grid of c.NLL.Batch for the likelihoods
// and of c.Batch for the ODE sampler), with every float in full precision,
// so that the merged rows are the single run's values and the merged
// report is Checkpoint's (the sampler's seconds: the shards' sum). The
// manifest's N and rows are those of the samples (or else of the NLL
// points, or of the images). Errors: those of Checkpoint, an empty s.Out
// (*ConfigError, Out).
func CheckpointShard(s Shard, lm *model.Loaded, c CheckpointConfig) (map[string]any, error) {
	r, err := planCheckpoint(lm, c)
	if err != nil {
		return nil, err
	}
	nr, sr, br := r.rowsOf(s.Manifest.Shard)
	_, sall, _ := r.rowsOf(shard.Spec{})
	n, rows := sall[1], sr
	if n == 0 {
		n, rows = r.nllPoints(), nr
	}
	if n == 0 {
		n, rows = len(r.bpdX)/lm.Meta.Dim, br
	}
	var files []string
	for _, f := range []struct {
		name string
		on   bool
	}{{"nll.csv", r.w.NLL}, {"samples.csv", len(r.w.Sample) > 0}, {"features.csv", len(r.w.Feature) > 0}, {"bpd.csv", r.w.BPD}} {
		if f.on {
			files = append(files, f.name)
		}
	}
	return s.run(n, rows, files, "rows", func(dir string) (shardRecord, error) {
		rec := shardRecord{Kind: kindCheckpoint, Ckpt: lm.Dir, Config: &c}
		p, err := r.compute(s.Manifest.Shard)
		if err != nil {
			return rec, err
		}
		rec.setLikelihood(&p.like)
		rec.SamplerNFE, rec.Wall = p.stats.NFE, p.stats.Wall
		g := p.gen.Features
		class := make([]float64, len(p.gen.Pred))
		for i, k := range p.gen.Pred {
			class[i] = float64(k)
		}
		for _, f := range files {
			path := filepath.Join(dir, f)
			switch f {
			case "nll.csv":
				err = writeColumns(path, p.nll, p.logp)
			case "samples.csv":
				err = writeRows(path, p.x, lm.Meta.Dim)
			case "features.csv":
				err = writeRows(path, joinColumns(class, g.Data, g.D), 1+classifier.FeatureDim)
			case "bpd.csv":
				err = writeColumns(path, p.bpd, nil)
			}
			if err != nil {
				return rec, err
			}
		}
		return rec, nil
	})
}

// PointsShard evaluates the points of shard s of the file path as
// PointsNLL does (c.N is ignored) into its directory's nll.csv: per point
// its NLL (nats, data units) and standard error over the replicas. The
// shard's points are shard.Spec.Range of the file's rows on the grid of
// c.Batch solves (PerPointReplicas solves per point when the estimate is
// stochastic), so that its chunks are those of the single run. The file's
// SHA-256 joins the manifest's ConfigHash, so shards of a changed file do
// not merge. MergeShards writes the report and per-point.csv as PointNLL's
// WriteCSV does.
func PointsShard(s Shard, p *sde.Process, m score.VJPModel, std *dataset.Standardisation, path string, c NLLConfig) (map[string]any, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	x, d, err := dataset.ReadPoints(path)
	if err != nil {
		return nil, err
	}
	if d != m.Dim() {
		return nil, configErr("Points", "%s has %d columns, the model's data %d", path, d, m.Dim())
	}
	sum, err := fileSHA(path)
	if err != nil {
		return nil, err
	}
	s.Manifest.ConfigHash += " points:" + sum
	replicas := 1
	if c.Stochastic(p) {
		replicas = PerPointReplicas
	}
	n := len(x) / d
	lo, hi := s.Manifest.Shard.Range(n, pointAlign(c.Batch, replicas))
	return s.run(n, [2]int{lo, hi}, []string{"nll.csv"}, "points", func(dir string) (shardRecord, error) {
		rec := shardRecord{Kind: kindPoints, Fields: s.Fields, Points: path, Replicas: replicas, LogDet: std.LogDet()}
		var nll, se []float64
		if lo < hi {
			var l *Likelihood
			if nll, se, l, err = pointValues(p, m, std, x[lo*d:hi*d], d, replicas, lo, c); err != nil {
				return rec, err
			}
			rec.setLikelihood(l)
		}
		return rec, writeColumns(filepath.Join(dir, "nll.csv"), nll, se)
	})
}

// MergeShards is the report of the merged evaluation shards parts (in
// shard order; shard.Merge has written their files into out), as the
// single run gives it: for NLL shards the other fields of the first shard
// and "nll" computed from all points by NLLFrom (NFE: the costliest
// chunk's); for checkpoint shards Checkpoint's report, computed from the
// merged rows (the checkpoint is loaded again and must be the shards'); for
// points shards the report with "nll" from all points and "per_point"
// naming out/per-point.csv, which it writes as PointNLL.WriteCSV does.
// The checkpoint and point file are read at the paths the shards recorded,
// relative to the working directory (an error says so).
func MergeShards(out string, parts []shard.Manifest) (map[string]any, error) {
	var rec shardRecord
	var l Likelihood
	var wall time.Duration
	for i, part := range parts {
		var r shardRecord
		if err := json.Unmarshal(part.Result, &r); err != nil {
			return nil, fmt.Errorf("evaluate: shard %v: record: %w", part.Shard, err)
		}
		if i == 0 {
			rec = r
		}
		if r.NFE > 0 {
			l = Likelihood{NFE: max(l.NFE, r.NFE), Divergence: r.Divergence, Bound: r.Bound, IW: r.IW}
		}
		rec.SamplerNFE, wall = max(rec.SamplerNFE, r.SamplerNFE), wall+r.Wall
	}
	read := func(name string) ([]float64, int, error) { return readRows(filepath.Join(out, name)) }
	switch rec.Kind {
	case kindNLL:
		rows, d, err := read("nll.csv")
		if err != nil {
			return nil, err
		}
		nll, logp := column(rows, d, 0), column(rows, d, 1)
		res := maps.Clone(rec.Fields)
		res["nll"] = NLLFrom(l, nll, logp, rec.Data).Fields()
		return res, nil
	case kindPoints:
		rows, d, err := read("nll.csv")
		if err != nil {
			return nil, err
		}
		x, dim, names, err := dataset.ReadPointsNamed(rec.Points)
		if err != nil {
			return nil, fromManifest("point file", rec.Points, err)
		}
		if sum, err := fileSHA(rec.Points); err != nil {
			return nil, fromManifest("point file", rec.Points, err)
		} else if !strings.HasSuffix(parts[0].ConfigHash, " points:"+sum) {
			return nil, fmt.Errorf("evaluate: %s changed since the shards read it (its SHA-256 is not the one in their manifests)", rec.Points)
		}
		nll := column(rows, d, 0)
		r := &PointNLL{Likelihood: pointSummary(l, nll), Path: rec.Points, Columns: names, Dim: dim, X: x, NLL: nll, SE: column(rows, d, 1), Replicas: rec.Replicas, LogDet: rec.LogDet}
		if len(r.NLL)*dim != len(x) || len(r.SE) != len(r.NLL) {
			return nil, fmt.Errorf("evaluate: the shards hold %d values of the %d points of %s", len(r.NLL), len(x)/dim, rec.Points)
		}
		res, perPoint := maps.Clone(rec.Fields), filepath.Join(out, "per-point.csv")
		res["nll"], res["per_point"] = r.Fields(), perPoint
		return res, r.WriteCSV(perPoint)
	case kindCheckpoint:
		lm, err := model.Load(rec.Ckpt)
		if err != nil {
			return nil, fromManifest("checkpoint", rec.Ckpt, err)
		}
		if lm.Identity() != parts[0].Model {
			return nil, fmt.Errorf("evaluate: checkpoint %s is now %s, the shards evaluated %s", rec.Ckpt, lm.Identity(), parts[0].Model)
		}
		r, err := planCheckpoint(lm, *rec.Config)
		if err != nil {
			return nil, err
		}
		p := &ckptParts{like: l}
		p.stats.NFE, p.stats.Wall = rec.SamplerNFE, wall
		for _, f := range parts[0].Files {
			rows, d, err := read(f)
			if err != nil {
				return nil, err
			}
			switch f {
			case "nll.csv":
				p.nll, p.logp = column(rows, d, 0), column(rows, d, 1)
			case "samples.csv":
				p.x = rows
			case "features.csv":
				n := len(rows) / max(d, 1)
				p.gen = Embedded{Features: featuremetrics.Features{N: n, D: d - 1, Data: make([]float64, 0, n*(d-1))}, Pred: make([]int, n)}
				for i := range n {
					p.gen.Pred[i] = int(rows[i*d])
					p.gen.Features.Data = append(p.gen.Features.Data, rows[i*d+1:(i+1)*d]...)
				}
			case "bpd.csv":
				p.bpd = rows
			}
		}
		return r.report(p)
	}
	return nil, fmt.Errorf("evaluate: shard %v: unknown kind %q", parts[0].Shard, rec.Kind)
}

// fromManifest is err of reading the file what at path, a path the
// shards' manifests recorded as the shards' command was given it: merge
// reads it relative to its own working directory.
func fromManifest(what, path string, err error) error {
	return fmt.Errorf("evaluate: the %s %s comes from the shards' manifests (as their eval was given it) and is read relative to merge's working directory: run merge where the shards ran, or give eval absolute paths: %w", what, path, err)
}

// writeColumns writes the columns a and b (nil: a alone) as CSV rows to
// path atomically; no rows: an empty file.
func writeColumns(path string, a, b []float64) error {
	if b == nil {
		return writeRows(path, a, 1)
	}
	return writeRows(path, joinColumns(a, b, 1), 2)
}

// joinColumns returns the rows of the column a beside the rows of d values
// of b.
func joinColumns(a, b []float64, d int) []float64 {
	out := make([]float64, 0, len(a)+len(b))
	for i, v := range a {
		out = append(append(out, v), b[i*d:(i+1)*d]...)
	}
	return out
}

// writeRows writes n×d values in full precision (dataset.WriteCSV).
func writeRows(path string, x []float64, d int) error {
	return dataset.WriteCSV(path, x, max(d, 1))
}

// readRows reads the rows of a merged shard file (nil for an empty file).
func readRows(path string) ([]float64, int, error) {
	if st, err := os.Stat(path); err == nil && st.Size() == 0 {
		return nil, 0, nil
	}
	rows, d, err := dataset.ReadCSV(path)
	if err != nil {
		return nil, 0, fmt.Errorf("evaluate: %w", err)
	}
	return rows, d, nil
}

// column returns column j of n×d rows (nil when j ≥ d).
func column(rows []float64, d, j int) []float64 {
	if j >= d {
		return nil
	}
	out := make([]float64, 0, len(rows)/d)
	for i := j; i < len(rows); i += d {
		out = append(out, rows[i])
	}
	return out
}

// fileSHA returns the first 16 hex digits of the SHA-256 of a file.
func fileSHA(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &dataset.FileError{Path: path, Err: err}
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", &dataset.FileError{Path: path, Err: err}
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
