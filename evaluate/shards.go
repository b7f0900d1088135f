package evaluate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"phasespace/dataset"
	"phasespace/likelihood"
	"phasespace/score"
	"phasespace/sde"
	"phasespace/shard"
)

// nllRecord is what an NLL shard keeps in its manifest's Result.
type nllRecord struct {
	Fields     map[string]any        `json:"fields"` // the report's other fields (model, process)
	Data       string                `json:"data"`
	NFE        int                   `json:"nfe"`
	Divergence likelihood.Divergence `json:"divergence"`
	Bound      Bound                 `json:"bound"`
	IW         int                   `json:"iw"`
}

// NLLShard evaluates the points of shard m.Shard of the c.N points of data
// (NLLPoints; the shard's points are shard.Spec.Range of N on the grid of
// c.Batch, so that its chunks are those of the single run) into
// shard.Dir(out, m.Shard)/nll.csv, one line per point: its NLL and, where
// the density is known, its log-probability. The manifest m (rows, files
// and Result filled in here) keeps fields, the report's other fields, for
// MergeNLL. An empty out is a *ConfigError (Out). A shard already done
// there is skipped (shard.Run). It returns
// the report of the shard (its number, from: where it came from, its
// points and directory, whether it was already done).
func NLLShard(out string, m shard.Manifest, p *sde.Process, mod score.VJPModel, data string, c NLLConfig, fields map[string]any, from string) (map[string]any, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	if out == "" {
		return nil, configErr("Out", "a shard (%v) needs an output directory", m.Shard)
	}
	lo, hi := m.Shard.Range(c.N, c.Batch)
	m.Rows, m.Files = [2]int{lo, hi}, []string{"nll.csv"}
	dir := shard.Dir(out, m.Shard)
	rec := nllRecord{Fields: fields, Data: data}
	if lo == hi { // an empty shard: nothing to solve
		m.Result, _ = json.Marshal(rec)
	}
	skipped, err := shard.Run(dir, &m, func() error {
		if lo == hi {
			return dataset.WriteCSV(filepath.Join(dir, "nll.csv"), nil, 1)
		}
		nll, logp, l, err := NLLPoints(p, mod, data, c, lo, hi)
		if err != nil {
			return err
		}
		rec.NFE, rec.Divergence, rec.Bound, rec.IW = l.NFE, l.Divergence, l.Bound, l.IW
		rows, d := nll, 1
		if logp != nil {
			rows, d = make([]float64, 0, 2*len(nll)), 2
			for i := range nll {
				rows = append(rows, nll[i], logp[i])
			}
		}
		if m.Result, err = json.Marshal(rec); err != nil {
			return err
		}
		return dataset.WriteCSV(filepath.Join(dir, "nll.csv"), rows, d)
	})
	return map[string]any{"shard": m.Shard.String(), "from": from, "points": m.Rows, "dir": dir, "already_done": skipped}, err
}

// MergeNLL is the report of the merged NLL shards parts (in shard order;
// shard.Merge has written their nll.csv into out): the other fields of the
// first shard and "nll" computed from all points by NLLFrom, as NLL gives
// it for the single run (NFE: the costliest chunk's).
func MergeNLL(out string, parts []shard.Manifest) (map[string]any, error) {
	var rec nllRecord
	var l Likelihood
	for _, part := range parts {
		var r nllRecord
		if err := json.Unmarshal(part.Result, &r); err != nil {
			return nil, fmt.Errorf("evaluate: shard %v: record: %w", part.Shard, err)
		}
		if r.NFE > 0 || rec.Fields == nil {
			rec = r
			l = Likelihood{NFE: max(l.NFE, r.NFE), Divergence: r.Divergence, Bound: r.Bound, IW: r.IW}
		}
	}
	path := filepath.Join(out, "nll.csv")
	var rows []float64
	d := 1
	if st, err := os.Stat(path); err != nil || st.Size() > 0 {
		if rows, d, err = dataset.ReadCSV(path); err != nil {
			return nil, fmt.Errorf("evaluate: %w", err)
		}
	}
	nll := make([]float64, 0, len(rows)/d)
	var logp []float64
	for i := 0; i < len(rows); i += d {
		nll = append(nll, rows[i])
		if d == 2 {
			logp = append(logp, rows[i+1])
		}
	}
	res := map[string]any{}
	for k, v := range rec.Fields {
		res[k] = v
	}
	res["nll"] = NLLFrom(l, nll, logp, rec.Data).Fields()
	return res, nil
}
