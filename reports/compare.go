package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Comparison is several runs' results side by side: `idsim report`.
type Comparison struct {
	Results []*Results
}

// Markdown renders the comparison table: one row per scenario and
// scheme.
func (c Comparison) Markdown(chartFile string) []byte {
	var b strings.Builder
	b.WriteString("# idsim comparison\n\n")
	b.WriteString("| scenario | seed | scheme | generated | errors | duplicates | out of order | longest delay | verdict |\n|---|--:|---|--:|--:|--:|--:|--:|---|\n")
	for _, r := range c.Results {
		for _, run := range r.Runs {
			d := num(run.Duplicates)
			if run.Duplicates > 0 {
				d = "**" + d + "**"
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s |\n", r.Scenario, r.Seed, run.Scheme, num(run.Generated),
				num(run.Errors), d, num(run.MonotonicViolations), dur(run.LatencyMaxNs), run.Verdict())
		}
	}
	if chartFile != "" {
		fmt.Fprintf(&b, "\n![Duplicates in every run](%s)\n", chartFile)
	}
	b.WriteString("\nEach scenario's own report has the findings explained.\n")
	return []byte(b.String())
}

// Chart draws every run's duplicates, one bar per scenario and scheme.
func (c Comparison) Chart() (*Chart, error) {
	var names []string
	var vals plotter.Values
	for _, r := range c.Results {
		for _, run := range r.Runs {
			names = append(names, r.Scenario+" / "+run.Scheme)
			vals = append(vals, float64(run.Duplicates))
		}
	}
	// NominalY puts row 0 at the bottom: reverse so the table order reads
	// top down.
	n := len(vals)
	rev := make(plotter.Values, n)
	for i, v := range vals {
		rev[n-1-i] = v
	}
	p := newPlot("Duplicates in every run", "duplicate IDs (extra copies)")
	b, err := plotter.NewBarChart(rev, vg.Points(8))
	if err != nil {
		return nil, err
	}
	b.Horizontal = true
	b.Color = palette[0]
	b.LineStyle.Width = 0
	p.Add(b)
	p.NominalY(reversed(names)...)
	p.X.Min = 0
	for _, v := range vals {
		p.X.Max = max(p.X.Max, v*1.1, 1)
	}
	p.X.Tick.Marker = plot.DefaultTicks{}
	svg, png, err := render(p, 20*vg.Centimeter, rowsHeight(n))
	if err != nil {
		return nil, err
	}
	return &Chart{Name: "comparison", Title: "Duplicates in every run", SVG: svg, PNG: png}, nil
}

var comparePage = template.Must(template.New("compare").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>idsim comparison</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; font-size: 0.92rem; } th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; }
td.n { text-align: right; } figure svg { max-width: 100%; height: auto; }
</style></head><body>
<h1>idsim comparison</h1>
<table><tr><th>scenario</th><th>seed</th><th>scheme</th><th>generated</th><th>errors</th><th>duplicates</th><th>out of order</th><th>longest delay</th><th>verdict</th></tr>
{{range .R}}{{$r := .}}{{range .Runs}}<tr><td>{{$r.Scenario}}</td><td class="n">{{$r.Seed}}</td><td>{{.Scheme}}</td><td class="n">{{num .Generated}}</td><td class="n">{{num .Errors}}</td><td class="n">{{num .Duplicates}}</td><td class="n">{{num .MonotonicViolations}}</td><td class="n">{{dur .LatencyMaxNs}}</td><td>{{.Verdict}}</td></tr>
{{end}}{{end}}</table>
{{with .C}}<figure>{{svg .SVG}}<figcaption>{{.Title}}</figcaption></figure>{{end}}
</body></html>
`))

// HTML renders the comparison as a self-contained page.
func (c Comparison) HTML(chart *Chart) ([]byte, error) {
	var b bytes.Buffer
	err := comparePage.Execute(&b, struct {
		R []*Results
		C *Chart
	}{c.Results, chart})
	return b.Bytes(), err
}
