package figure

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// MaxPairDims is the number of leading dimensions PairPlot draws.
const MaxPairDims = 4

// Histogram writes a histogram of the values v (1-D points) with 60 bins
// as a size×size PNG at path, titled title, its axis labelled label ("":
// x1). It returns an error for no finite value, and rendering or
// file-system failures.
func Histogram(path, title string, v []float64, size int, label string) error {
	h, err := newHist1(v, 60)
	if err != nil {
		return fmt.Errorf("figure: histogram: %w", err)
	}
	h.Normalize(1)
	h.FillColor = color.NRGBA{R: 30, G: 80, B: 200, A: 160}
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, cmp.Or(label, "x1"), "density"
	p.Add(h)
	return renderGrid(path, [][]*plot.Plot{{p}}, size, size)
}

// PairPlot writes the pair-plot matrix of the first min(d, MaxPairDims)
// dimensions of the n×d points x (d >= 2) as a PNG at path, each cell
// cell×cell pixels: histograms of x_j on the diagonal, scatters of (x_j,
// x_i) off it; title heads the first cell; the axes are labelled with
// names (the data's column names; nil or of another length: x1 … xd).
// Errors as for Panels.
func PairPlot(path, title string, x []float64, d, cell int, names []string) error {
	if d < 2 || len(x) < d || len(x)%d != 0 {
		return fmt.Errorf("figure: pair plot of %d values of dimension %d: want n×d with d >= 2", len(x), d)
	}
	k, n := min(d, MaxPairDims), len(x)/d
	name := func(j int) string {
		if len(names) == d {
			return names[j]
		}
		return fmt.Sprintf("x%d", j+1)
	}
	col := func(j int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = x[i*d+j]
		}
		return v
	}
	plots := make([][]*plot.Plot, k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			p := plot.New()
			if i == k-1 {
				p.X.Label.Text = name(j)
			}
			if j == 0 {
				p.Y.Label.Text = name(i)
			}
			if i == j {
				h, err := newHist1(col(j), 40)
				if err != nil {
					return fmt.Errorf("figure: pair plot, x%d: %w", j+1, err)
				}
				h.FillColor = color.NRGBA{R: 30, G: 80, B: 200, A: 160}
				p.Add(h)
			} else {
				xy := make(plotter.XYs, 0, n)
				for r := 0; r < n; r++ {
					if a, b := x[r*d+j], x[r*d+i]; !math.IsNaN(a+b) && !math.IsInf(a+b, 0) {
						xy = append(xy, plotter.XY{X: a, Y: b})
					}
				}
				s, err := plotter.NewScatter(xy)
				if err != nil {
					return fmt.Errorf("figure: pair plot: %w", err)
				}
				s.GlyphStyle.Radius, s.GlyphStyle.Shape = vg.Points(0.7), draw.CircleGlyph{}
				s.GlyphStyle.Color = color.NRGBA{R: 30, G: 80, B: 200, A: 160}
				p.Add(s)
			}
			plots[i] = append(plots[i], p)
		}
	}
	return renderTitled(path, title, plots, k*cell, k*cell+24)
}

// renderTitled draws plots as renderGrid does, below a title line across
// the whole width.
func renderTitled(path, title string, plots [][]*plot.Plot, width, height int) error {
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(width)*vg.Inch/96, vg.Length(height)*vg.Inch/96), vgimg.UseDPI(96))
	dc := draw.New(img)
	sty := plot.New().Title.TextStyle
	band := sty.Height(title) + 2*vg.Millimeter
	t := draw.Tiles{Rows: len(plots), Cols: len(plots[0]), PadX: vg.Millimeter * 2, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	canvases := plot.Align(plots, t, draw.Crop(dc, 0, 0, 0, -band))
	for r := range plots {
		for c := range plots[r] {
			plots[r][c].Draw(canvases[r][c])
		}
	}
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
	dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y - vg.Millimeter}, title)
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	return writeAtomic(path, b.Bytes())
}

// newHist1 is plotter.NewHist of the finite values of v; none is an error.
func newHist1(v []float64, bins int) (*plotter.Histogram, error) {
	out := make(plotter.Values, 0, len(v))
	for _, x := range v {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no finite value among %d", len(v))
	}
	return plotter.NewHist(out, bins)
}
