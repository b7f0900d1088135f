package main

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"phasespace/internal/atomicfile"
	"phasespace/sde"
)

// line is one curve of MMD² against NFE.
type line struct {
	name string
	x, y []float64
}

var palette = []color.RGBA{{31, 119, 180, 255}, {255, 127, 14, 255}, {44, 160, 44, 255}, {214, 39, 40, 255}, {0, 0, 0, 255}}

// plotPanels writes one log–log panel of MMD² against NFE per SDE.
func plotPanels(path, data string, n int, procs []*sde.Process, series map[sde.Kind][]line) error {
	row := make([]*plot.Plot, len(procs))
	for i, p := range procs {
		pl := plot.New()
		pl.Title.Text = fmt.Sprintf("%s, %v (exact score, %d samples)", data, p.Kind, n)
		pl.X.Label.Text, pl.Y.Label.Text = "NFE", "MMD² (clipped at 1e-4)"
		pl.X.Scale, pl.Y.Scale = plot.LogScale{}, plot.LogScale{}
		pl.X.Tick.Marker, pl.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
		pl.Legend.Top = true
		for k, s := range series[p.Kind] {
			xy := make(plotter.XYs, len(s.x))
			for j := range s.x {
				xy[j] = plotter.XY{X: s.x[j], Y: s.y[j]}
			}
			if len(xy) == 0 {
				continue
			}
			l, pts, err := plotter.NewLinePoints(xy)
			if err != nil {
				return err
			}
			c := palette[k%len(palette)]
			l.Color, pts.Color = c, c
			l.Width = vg.Points(1.4)
			if k%2 == 1 {
				l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
			}
			pl.Add(l, pts)
			pl.Legend.Add(s.name, l, pts)
		}
		row[i] = pl
	}
	const w, h = 1500, 500
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(w)*vg.Inch/96, vg.Length(h)*vg.Inch/96), vgimg.UseDPI(96))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Millimeter * 3, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{row}, tiles, dc)
	for j, pl := range row {
		pl.Draw(canvases[0][j])
	}
	return atomicfile.WriteFunc(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}
