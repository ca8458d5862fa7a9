package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
)

// HTMLFile is the self-contained HTML report: the tables, the charts
// inline as SVG, every finding explained, no network access needed.
const HTMLFile = "report.html"

// ChartsDir holds each chart as PNG and SVG.
const ChartsDir = "charts"

// funcs are the helpers of the HTML templates.
var funcs = template.FuncMap{
	"num": func(v int64) string { return num(v) },
	"dur": func(ns int64) string { return dur(ns) },
	"svg": func(b []byte) template.HTML {
		s := string(b)
		if i := strings.Index(s, "<svg"); i >= 0 {
			s = s[i:] // drop the XML prolog: inline SVG needs none
		}
		return template.HTML(s)
	},
	"verdict": func(r Run) string { return r.Verdict() },
}

var page = template.Must(template.New("report").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.R.Scenario}} — idsim report</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.failed { color: #b00; font-weight: bold; }
.passed { color: #070; }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
.finding { margin: 0.5rem 0 0.8rem 1rem; }
</style>
</head>
<body>
<h1>{{.R.Scenario}} — <span class="{{if .R.Passed}}passed{{else}}failed{{end}}">{{if .R.Passed}}PASSED{{else}}FAILED{{end}}</span></h1>
<p>{{.R.Description}}</p>
<p>Seed {{.R.Seed}} — replay with <code>{{.R.Replay}}</code>. {{.R.Workers}} workers, {{.R.Load.PerWorker}} per worker ({{.R.Load.Pattern}}), {{.R.Duration}}{{if .R.Live}}, run live{{else}} of virtual time{{end}}.</p>
<h2>Faults</h2>
{{if .R.Faults}}<table><tr><th>fault</th><th>what</th></tr>
{{range .R.Faults}}<tr><td>{{.ID}}</td><td>{{.Description}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
<h2>Results</h2>
<table>
<tr><th>scheme</th><th>settings</th><th>generated</th><th>errors</th><th>duplicates</th><th>out of order</th><th>longest delay</th><th>expectations</th></tr>
{{range .R.Runs}}<tr><td>{{.Scheme}}</td><td>{{.Config}}</td><td class="n">{{num .Generated}}</td><td class="n">{{num .Errors}}</td><td class="n">{{if .Duplicates}}<b>{{num .Duplicates}}</b>{{else}}0{{end}}</td><td class="n">{{num .MonotonicViolations}}</td><td class="n">{{dur .LatencyMaxNs}}</td><td class="{{verdict .}}">{{verdict .}}</td></tr>
{{end}}</table>
<h2>Charts</h2>
{{range .Charts}}<figure id="chart-{{.Name}}">{{svg .SVG}}<figcaption>{{.Title}}</figcaption></figure>
{{end}}
<h2>Expectations</h2>
<table><tr><th>scheme</th><th>expectation</th><th>want</th><th>got</th><th></th></tr>
{{range .R.Runs}}{{$s := .Scheme}}{{range .Expectations}}<tr><td>{{$s}}</td><td>{{.Key}}</td><td>{{.Want}}</td><td>{{.Got}}</td><td class="{{if .Passed}}passed{{else}}failed{{end}}">{{if .Passed}}held{{else}}VIOLATED{{end}}</td></tr>
{{end}}{{end}}</table>
<h2>Findings</h2>
{{range .R.Runs}}{{if or .DuplicateGroups .MonotonicFindings .LinearizabilityViolation}}<h3>{{.Scheme}}</h3>
{{range .DuplicateGroups}}<p class="finding">{{.Explanation}}</p>
{{end}}{{range $i, $m := .MonotonicFindings}}{{if lt $i 20}}<p class="finding">{{$m.Explanation}}</p>
{{end}}{{end}}{{if .LinearizabilityViolation}}<p class="finding">Not linearizable: {{.LinearizabilityViolation}}{{if .LinearizabilityFile}} — <a href="{{.LinearizabilityFile}}">porcupine's view</a>{{end}}</p>{{end}}
{{end}}{{end}}
<p><small>Written by idsim. The numbers are in results.json.</small></p>
</body>
</html>
`))

// HTML renders the self-contained report with the given charts.
func HTML(r *Results, charts []Chart) ([]byte, error) {
	var b bytes.Buffer
	if err := page.Execute(&b, struct {
		R      *Results
		Charts []Chart
	}{r, charts}); err != nil {
		return nil, fmt.Errorf("report.html: %w", err)
	}
	return b.Bytes(), nil
}
