package figure

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	imdraw "image/draw"
	"image/png"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"phasespace/internal/atomicfile"
)

// Panel is one 2-D scatter (or density) panel of a figure.
type Panel struct {
	Title   string
	Points  []float64 // row-major n×2
	Density bool      // draw a 2-D histogram instead of points
	// Limits fixes the axes to [x0, x1]×[y0, y1]; zero means "from the data".
	Limits [4]float64
}

// limits returns fixed or data-derived square limits for the panels.
func limits(ps []Panel) [4]float64 {
	if ps[0].Limits != ([4]float64{}) {
		return ps[0].Limits
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		// Robust range: ignore the most extreme 0.5% on each side.
		n := len(p.Points) / 2
		for j := 0; j < 2; j++ {
			v := make([]float64, 0, n)
			for i := 0; i < n; i++ {
				if x := p.Points[2*i+j]; !math.IsNaN(x) && !math.IsInf(x, 0) {
					v = append(v, x)
				}
			}
			if len(v) == 0 {
				continue
			}
			a, b := quantiles(v)
			lo, hi = math.Min(lo, a), math.Max(hi, b)
		}
	}
	if !(hi > lo) {
		lo, hi = -1, 1
	}
	pad := 0.08 * (hi - lo)
	return [4]float64{lo - pad, hi + pad, lo - pad, hi + pad}
}

func quantiles(v []float64) (float64, float64) {
	s := append([]float64(nil), v...)
	sortFloats(s)
	k := len(s) / 200
	return s[k], s[len(s)-1-k]
}

// Panels writes the panels side by side as a PNG at path, each size×size
// pixels, all with the same square limits. It returns an error for no
// panels, points gonum/plot cannot draw (NaN or ±Inf in a scatter) and
// rendering or file-system failures. The PNG is written atomically (package atomicfile): on an error path is
// left as it was.
func Panels(path string, size int, panels ...Panel) error {
	if len(panels) == 0 {
		return fmt.Errorf("figure: no panels")
	}
	lim := limits(panels)
	plots := make([][]*plot.Plot, 1)
	for _, pn := range panels {
		p := plot.New()
		p.Title.Text = pn.Title
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = lim[0], lim[1], lim[2], lim[3]
		if pn.Density {
			h := newHist(pn.Points, lim, 120)
			hm := plotter.NewHeatMap(h, moreland.SmoothBlueRed().Palette(255))
			p.Add(hm)
		} else {
			xy := toXY(pn.Points)
			s, err := plotter.NewScatter(xy)
			if err != nil {
				return err
			}
			s.GlyphStyle.Radius = vg.Points(0.9)
			s.GlyphStyle.Shape = draw.CircleGlyph{}
			s.GlyphStyle.Color = color.RGBA{R: 30, G: 80, B: 200, A: 200}
			p.Add(s)
		}
		plots[0] = append(plots[0], p)
	}
	return renderGrid(path, plots, size*len(panels), size)
}

// Scatter writes a single scatter plot of the n×2 row-major points pts as a
// size×size PNG at path; errors as for Panels.
func Scatter(path, title string, pts []float64, size int) error {
	return Panels(path, size, Panel{Title: title, Points: pts})
}

func toXY(pts []float64) plotter.XYs {
	n := len(pts) / 2
	xy := make(plotter.XYs, 0, n)
	for i := 0; i < n; i++ {
		if math.IsNaN(pts[2*i]) || math.IsNaN(pts[2*i+1]) || math.IsInf(pts[2*i], 0) || math.IsInf(pts[2*i+1], 0) {
			continue
		}
		xy = append(xy, plotter.XY{X: pts[2*i], Y: pts[2*i+1]})
	}
	return xy
}

// hist is a 2-D histogram implementing plotter.GridXYZ.
type hist struct {
	n      int
	lim    [4]float64
	counts []float64
}

func newHist(pts []float64, lim [4]float64, n int) *hist {
	h := &hist{n: n, lim: lim, counts: make([]float64, n*n)}
	for i := 0; i < len(pts)/2; i++ {
		cx := int((pts[2*i] - lim[0]) / (lim[1] - lim[0]) * float64(n))
		cy := int((pts[2*i+1] - lim[2]) / (lim[3] - lim[2]) * float64(n))
		if cx >= 0 && cx < n && cy >= 0 && cy < n {
			h.counts[cy*n+cx]++
		}
	}
	for i, c := range h.counts {
		h.counts[i] = math.Log1p(c)
	}
	return h
}

// Dims, Z, X and Y implement gonum's plotter.GridXYZ: an n×n grid of
// log(1 + count) over the plot limits, cell centres as coordinates.
func (h *hist) Dims() (int, int)   { return h.n, h.n }
func (h *hist) Z(c, r int) float64 { return h.counts[r*h.n+c] }
func (h *hist) X(c int) float64 {
	return h.lim[0] + (float64(c)+0.5)*(h.lim[1]-h.lim[0])/float64(h.n)
}
func (h *hist) Y(r int) float64 {
	return h.lim[2] + (float64(r)+0.5)*(h.lim[3]-h.lim[2])/float64(h.n)
}

// Series is one line of a line plot.
type Series struct {
	Name string
	X, Y []float64
}

// Lines writes a line plot; logY uses a logarithmic y axis (non-positive
// values are dropped), width×height pixels, as a PNG at path. It returns an
// error when a series cannot be drawn or the file cannot be written. The PNG is written atomically (package atomicfile): on an error path is
// left as it was.
func Lines(path, title, xlabel, ylabel string, logY bool, width, height int, series ...Series) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Legend.Top = true
	for i, s := range series {
		xy := make(plotter.XYs, 0, len(s.X))
		for k := range s.X {
			y := s.Y[k]
			if math.IsNaN(y) || math.IsInf(y, 0) || (logY && y <= 0) {
				continue
			}
			xy = append(xy, plotter.XY{X: s.X[k], Y: y})
		}
		if len(xy) == 0 {
			continue
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = paletteColor(i)
		l.Width = vg.Points(1.3)
		p.Add(l)
		if s.Name != "" {
			p.Legend.Add(s.Name, l)
		}
	}
	return renderGrid(path, [][]*plot.Plot{{p}}, width, height)
}

func paletteColor(i int) color.Color {
	cs := []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255},
		{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255}, {188, 189, 34, 255}, {23, 190, 207, 255}}
	return cs[i%len(cs)]
}

// Trajectories draws phase-space paths: for each of a few samples, the
// sequence of (x₁, v₁) states (left panel) and of (x₁, x₂) positions (right).
// paths[k] holds the states of sample k over time as rows (x₁, x₂, v₁, v₂).
// The PNG at path is 2·size×size pixels; it returns an error when a path
// cannot be drawn or the file cannot be written. The PNG is written atomically (package atomicfile): on an error path is
// left as it was.
func Trajectories(path, title string, paths [][][4]float64, size int) error {
	left, right := plot.New(), plot.New()
	left.Title.Text = title + ": phase space (x₁, v₁)"
	left.X.Label.Text, left.Y.Label.Text = "x₁", "v₁"
	right.Title.Text = title + ": positions (x₁, x₂)"
	right.X.Label.Text, right.Y.Label.Text = "x₁", "x₂"
	for k, pth := range paths {
		a, b := make(plotter.XYs, len(pth)), make(plotter.XYs, len(pth))
		for i, s := range pth {
			a[i] = plotter.XY{X: s[0], Y: s[2]}
			b[i] = plotter.XY{X: s[0], Y: s[1]}
		}
		for _, pl := range []struct {
			p  *plot.Plot
			xy plotter.XYs
		}{{left, a}, {right, b}} {
			l, err := plotter.NewLine(pl.xy)
			if err != nil {
				return err
			}
			l.Color = paletteColor(k)
			l.Width = vg.Points(0.8)
			pl.p.Add(l)
			end, _ := plotter.NewScatter(pl.xy[len(pl.xy)-1:])
			end.GlyphStyle.Color = paletteColor(k)
			end.GlyphStyle.Radius = vg.Points(2.5)
			pl.p.Add(end)
		}
	}
	return renderGrid(path, [][]*plot.Plot{{left, right}}, 2*size, size)
}

func renderGrid(path string, plots [][]*plot.Plot, width, height int) error {
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(width)*vg.Inch/96, vg.Length(height)*vg.Inch/96), vgimg.UseDPI(96))
	dc := draw.New(img)
	rows, cols := len(plots), len(plots[0])
	t := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Millimeter * 2, PadY: vg.Millimeter * 2,
		PadTop: vg.Millimeter, PadBottom: vg.Millimeter, PadLeft: vg.Millimeter, PadRight: vg.Millimeter}
	canvases := plot.Align(plots, t, dc)
	for r := range plots {
		for c := range plots[r] {
			plots[r][c].Draw(canvases[r][c])
		}
	}
	var b bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&b); err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	return writeAtomic(path, b.Bytes())
}

// ImageGrid writes grayscale images (each h×w bytes, 0 = black) as a
// rows×cols grid, each pixel scaled up by scale, with 2-pixel gutters, as
// a PNG at path. It returns an error for no images or a failed write.
func ImageGrid(path string, images [][]byte, h, w, cols, scale int) error {
	return imageGrid(path, images, 1, h, w, cols, scale)
}

// RGBImageGrid is ImageGrid for colour images, each three h×w planes (R,
// G, B); the PNG is 8-bit RGB.
func RGBImageGrid(path string, images [][]byte, h, w, cols, scale int) error {
	return imageGrid(path, images, 3, h, w, cols, scale)
}

// imageGrid writes images of c planes (1: gray, 3: RGB) as ImageGrid.
func imageGrid(path string, images [][]byte, c, h, w, cols, scale int) error {
	if len(images) == 0 || cols < 1 || scale < 1 {
		return fmt.Errorf("figure: empty image grid")
	}
	rows := (len(images) + cols - 1) / cols
	g := 2
	W, H := cols*(w*scale+g)+g, rows*(h*scale+g)+g
	var img imdraw.Image = image.NewGray(image.Rect(0, 0, W, H))
	if c == 3 {
		img = image.NewNRGBA(image.Rect(0, 0, W, H))
	}
	imdraw.Draw(img, img.Bounds(), image.NewUniform(color.Gray{Y: 128}), image.Point{}, imdraw.Src)
	for k, im := range images {
		r, col := k/cols, k%cols
		x0, y0 := g+col*(w*scale+g), g+r*(h*scale+g)
		for y := 0; y < h*scale; y++ {
			for x := 0; x < w*scale; x++ {
				j := (y/scale)*w + x/scale
				if c == 3 {
					img.Set(x0+x, y0+y, color.NRGBA{im[j], im[h*w+j], im[2*h*w+j], 255})
				} else {
					img.Set(x0+x, y0+y, color.Gray{Y: im[j]})
				}
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	return writeAtomic(path, b.Bytes())
}

// writeAtomic writes data through a synced temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data); err != nil {
		return fmt.Errorf("figure: %w", err)
	}
	return nil
}
