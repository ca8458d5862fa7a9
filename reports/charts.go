package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/idsim/idsim/generators/snowflake"
)

// Chart is one rendered chart: its file stem, title, and the same
// picture as SVG (inlined in report.html) and PNG (linked from
// report.md).
type Chart struct {
	Name, Title string
	SVG, PNG    []byte
}

// palette is a colour-blind-safe set (Okabe and Ito, "Color Universal
// Design", 2002).
var palette = []color.RGBA{
	{0, 114, 178, 255}, {230, 159, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255},
	{86, 180, 233, 255}, {213, 94, 0, 255}, {240, 228, 66, 255}, {0, 0, 0, 255},
}

// Charts draws the charts of a run: duplicates by scheme and cause,
// throughput against offered load and ceilings, waiting, and the layouts'
// horizons. The output is the same, byte for byte, for the same results.
func Charts(r *Results) ([]Chart, error) {
	var out []Chart
	for _, c := range []struct {
		name, title string
		draw        func(*Results) (*plot.Plot, vg.Length, error)
	}{
		{"duplicates", "Duplicates by scheme and cause", duplicatesChart},
		{"throughput", "Throughput against offered load", throughputChart},
		{"waits", "Time calls waited", waitsChart},
		{"timeline", "ID timestamps against true time", timelineChart},
		{"birthday", "Random collisions beside the birthday bound", birthdayChart},
		{"horizons", "When each layout runs out of time bits", horizonsChart},
	} {
		p, h, err := c.draw(r)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", c.name, err)
		}
		if p == nil {
			continue
		}
		svg, png, err := render(p, 18*vg.Centimeter, h)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", c.name, err)
		}
		out = append(out, Chart{Name: c.name, Title: c.title, SVG: svg, PNG: png})
	}
	return out, nil
}

func render(p *plot.Plot, w, h vg.Length) (svg, png []byte, err error) {
	sc := vgsvg.New(w, h)
	p.Draw(draw.New(sc))
	var sb bytes.Buffer
	if _, err := sc.WriteTo(&sb); err != nil {
		return nil, nil, err
	}
	ic := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(110), vgimg.UseBackgroundColor(color.White))}
	p.Draw(draw.New(ic))
	var pb bytes.Buffer
	if _, err := ic.WriteTo(&pb); err != nil {
		return nil, nil, err
	}
	return sb.Bytes(), pb.Bytes(), nil
}

func newPlot(title, x string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = x
	p.X.Label.TextStyle.Font.Size = vg.Points(11)
	p.X.Tick.Label.Font.Size = vg.Points(10)
	p.Y.Tick.Label.Font.Size = vg.Points(10)
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Add(plotter.NewGrid())
	return p
}

// rowsHeight gives a chart with n rows of labels room for them.
func rowsHeight(n int) vg.Length {
	return vg.Length(math.Max(7, 1.3+0.75*float64(n))) * vg.Centimeter
}

// duplicatesChart stacks each scheme's duplicates by the faults blamed.
func duplicatesChart(r *Results) (*plot.Plot, vg.Length, error) {
	var causes []string
	counts := map[string][]float64{}
	var names []string
	for i, run := range r.Runs {
		names = append(names, run.Scheme)
		for _, g := range run.DuplicateGroups {
			c := strings.Join(g.Faults, " + ")
			if c == "" {
				c = "no fault"
			}
			if _, ok := counts[c]; !ok {
				causes = append(causes, c)
				counts[c] = make([]float64, len(r.Runs))
			}
			counts[c][len(r.Runs)-1-i] += float64(g.Count) // NominalY puts row 0 at the bottom
		}
	}
	p := newPlot("Duplicates by scheme and the faults blamed", "duplicate IDs (extra copies)")
	if len(causes) == 0 {
		p.Title.Text = "Duplicates by scheme: none in any scheme"
	}
	var below *plotter.BarChart
	maxTotal := 1.0
	totals := make([]float64, len(r.Runs))
	for k, c := range causes {
		vals := plotter.Values(counts[c])
		b, err := plotter.NewBarChart(vals, vg.Points(9))
		if err != nil {
			return nil, 0, err
		}
		b.Horizontal = true
		b.Color = palette[k%len(palette)]
		b.LineStyle.Width = 0
		if below != nil {
			b.StackOn(below)
		}
		below = b
		p.Add(b)
		p.Legend.Add(c, b)
		for i, v := range counts[c] {
			totals[i] += v
			maxTotal = max(maxTotal, totals[i])
		}
	}
	p.NominalY(reversed(names)...)
	// Room on the right for the legend, clear of the bars.
	p.X.Min, p.X.Max = 0, maxTotal*1.6
	p.Legend.Top = true
	return p, rowsHeight(len(names) + len(causes)/2), nil
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// series is one kind of point of a dot chart: a value per run.
type series struct {
	label string
	value func(Run) float64
	shape draw.GlyphDrawer
	big   bool // drawn larger, around the dots of the next series
}

// dotChart puts a row per scheme and a point per series on a log axis;
// headroom widens the axis on the right, so the legend does not cover
// the points.
func dotChart(r *Results, title, xlabel string, ss []series, headroom float64) (*plot.Plot, vg.Length, error) {
	n := len(r.Runs)
	p := newPlot(title, xlabel)
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = siTicks{}
	lo, hi := math.Inf(1), 0.0
	for k, s := range ss {
		var pts plotter.XYs
		for i, run := range r.Runs {
			if v := s.value(run); v > 0 {
				lo, hi = min(lo, v), max(hi, v)
				pts = append(pts, plotter.XY{X: v, Y: float64(n - 1 - i)})
			}
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, 0, err
		}
		radius := vg.Points(4)
		if s.big {
			radius = vg.Points(6)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: palette[k], Radius: radius, Shape: s.shape}
		p.Add(sc)
		p.Legend.Add(s.label, sc)
	}
	if hi == 0 {
		return nil, 0, nil
	}
	var names []string
	for _, run := range r.Runs {
		names = append(names, run.Scheme)
	}
	p.NominalY(reversed(names)...)
	p.X.Min, p.X.Max = lo/2, hi*headroom
	p.Legend.Top = true
	return p, rowsHeight(n), nil
}

// throughputChart plots, per scheme on a log axis, the offered and
// generated IDs per second of the cluster and the peak of one worker,
// with the layout's per-worker ceiling.
func throughputChart(r *Results) (*plot.Plot, vg.Length, error) {
	return dotChart(r, "Throughput against offered load (log scale)", "IDs per second", []series{
		{"offered (cluster)", func(x Run) float64 { return x.OfferedPerSec }, draw.RingGlyph{}, true},
		{"generated (cluster)", func(x Run) float64 { return x.GeneratedPerSec }, draw.CircleGlyph{}, false},
		{"peak of one worker", func(x Run) float64 { return x.PeakWorkerRate }, draw.TriangleGlyph{}, false},
		{"ceiling of one worker", func(x Run) float64 { return x.CeilingPerWorker }, draw.BoxGlyph{}, false},
	}, 30)
}

// waitsChart shows, per scheme, the mean wait of the calls that waited
// and the longest delay of any call, in milliseconds on a log axis.
func waitsChart(r *Results) (*plot.Plot, vg.Length, error) {
	ms := float64(time.Millisecond)
	return dotChart(r, "How long calls waited (log scale)", "milliseconds", []series{
		{"mean wait of calls that waited", func(x Run) float64 {
			if x.WaitedCalls == 0 {
				return 0
			}
			return float64(x.WaitTotalNs) / float64(x.WaitedCalls) / ms
		}, draw.CircleGlyph{}, false},
		{"longest wait", func(x Run) float64 { return float64(x.WaitMaxNs) / ms }, draw.TriangleGlyph{}, false},
		{"longest delay (queued + waited)", func(x Run) float64 { return float64(x.LatencyMaxNs) / ms }, draw.BoxGlyph{}, false},
	}, 1000)
}

// horizonsChart draws, for the preset layouts and any other layout in
// the run, the year its time field runs out.
func horizonsChart(r *Results) (*plot.Plot, vg.Length, error) {
	type row struct {
		name string
		year float64
	}
	var rows []row
	seen := map[string]bool{}
	for _, name := range snowflake.PresetNames() {
		l, _ := snowflake.Preset(name)
		h := l.Horizon()
		rows = append(rows, row{fmt.Sprintf("%s (epoch %d)", name, l.Epoch.Year()), float64(h.Year()) + float64(h.YearDay())/366})
		seen[name] = true
	}
	p := newPlot("When each Snowflake layout runs out of time bits", "year")
	vals := make(plotter.Values, len(rows))
	names := make([]string, len(rows))
	for i, x := range rows {
		vals[len(rows)-1-i] = x.year - 2000
		names[i] = x.name
	}
	b, err := plotter.NewBarChart(vals, vg.Points(10))
	if err != nil {
		return nil, 0, err
	}
	b.Horizontal = true
	b.Color = palette[0]
	b.LineStyle.Width = 0
	p.Add(b)
	p.NominalY(reversed(names)...)
	p.X.Tick.Marker = yearTicks{}
	p.X.Min = 0
	for _, v := range vals {
		p.X.Max = max(p.X.Max, v+15)
	}
	return p, rowsHeight(len(rows)), nil
}

// yearTicks labels an axis of years since 2000.
type yearTicks struct{}

func (yearTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for y := math.Ceil(min/10) * 10; y <= max; y += 10 {
		label := ""
		if int(y)%20 == 0 {
			label = fmt.Sprint(2000 + int(y))
		}
		ts = append(ts, plot.Tick{Value: y, Label: label})
	}
	return ts
}

// siTicks marks a log axis at powers of ten, labelled 1, 10, 100, 1k,
// 10k, … 1M, 1G.
type siTicks struct{}

func (siTicks) Ticks(min, max float64) []plot.Tick {
	ts := plot.LogTicks{Prec: -1}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = si(ts[i].Value)
		}
	}
	return ts
}

func si(v float64) string {
	for _, u := range []struct {
		f float64
		s string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}} {
		if v >= u.f {
			return fmt.Sprintf("%g%s", math.Round(v/u.f*1000)/1000, u.s)
		}
	}
	return fmt.Sprintf("%g", math.Round(v*1000)/1000)
}

// timelineChart draws, for the first scheme with a timeline, the time
// inside each sampled worker's IDs against true time: a step back shows
// as a drop, and the IDs issued until the line climbs back over its old
// height repeat timestamps already used.
func timelineChart(r *Results) (*plot.Plot, vg.Length, error) {
	var run *Run
	for i := range r.Runs {
		if len(r.Runs[i].Timeline) > 0 {
			run = &r.Runs[i]
			break
		}
	}
	if run == nil {
		return nil, 0, nil
	}
	p := newPlot(fmt.Sprintf("Time inside the IDs of %s against true time", run.Scheme), "true time (s)")
	p.Y.Label.Text = "time in the ID (s since start)"
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, tl := range run.Timeline {
		var pts plotter.XYs
		for _, pt := range tl.Points {
			x, y := float64(pt[0])/1e9, float64(pt[1])/1e9
			pts = append(pts, plotter.XY{X: x, Y: y})
			lo, hi = min(lo, x), max(hi, x)
		}
		if len(pts) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, 0, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: palette[k%len(palette)], Radius: vg.Points(1.6), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.Legend.Add(fmt.Sprintf("worker %d", tl.Worker), sc)
	}
	if math.IsInf(lo, 1) {
		return nil, 0, nil
	}
	ref, err := plotter.NewLine(plotter.XYs{{X: lo, Y: lo}, {X: hi, Y: hi}})
	if err != nil {
		return nil, 0, err
	}
	ref.LineStyle = draw.LineStyle{Color: color.Gray{Y: 150}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(3), vg.Points(3)}}
	p.Add(ref)
	p.Legend.Add("true time", ref)
	p.Legend.Top, p.Legend.Left = true, true
	return p, 9 * vg.Centimeter, nil
}

// birthdayChart draws, for each random scheme with truncated bits, the
// duplicates measured as IDs accumulate beside the birthday bound.
func birthdayChart(r *Results) (*plot.Plot, vg.Length, error) {
	p := newPlot("Random collisions beside the birthday bound", "IDs issued so far")
	p.Y.Label.Text = "duplicates"
	p.Y.Label.TextStyle.Font.Size = vg.Points(11)
	k := 0
	for _, run := range r.Runs {
		if len(run.Birthday) == 0 {
			continue
		}
		var measured, expected plotter.XYs
		for _, pt := range run.Birthday {
			measured = append(measured, plotter.XY{X: float64(pt.IDs), Y: float64(pt.Measured)})
			expected = append(expected, plotter.XY{X: float64(pt.IDs), Y: pt.Expected})
		}
		ml, mp, err := plotter.NewLinePoints(measured)
		if err != nil {
			return nil, 0, err
		}
		c := palette[k%len(palette)]
		ml.Color, mp.Color = c, c
		mp.Shape = draw.CircleGlyph{}
		el, err := plotter.NewLine(expected)
		if err != nil {
			return nil, 0, err
		}
		el.Color = c
		el.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		p.Add(ml, mp, el)
		p.Legend.Add(fmt.Sprintf("%s: measured (%d random bits)", run.Scheme, run.RandomBits), ml, mp)
		p.Legend.Add(fmt.Sprintf("%s: birthday bound n²/2^%d", run.Scheme, run.RandomBits+1), el)
		k++
	}
	if k == 0 {
		return nil, 0, nil
	}
	p.Legend.Top, p.Legend.Left = true, true
	p.X.Tick.Marker = siLinear{}
	return p, 9 * vg.Centimeter, nil
}

// siLinear labels a linear axis with k and M.
type siLinear struct{}

func (siLinear) Ticks(min, max float64) []plot.Tick {
	ts := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ts {
		if ts[i].Label != "" {
			ts[i].Label = si(ts[i].Value)
		}
	}
	return ts
}
