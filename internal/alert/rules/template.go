package rules

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// tmplHeader gives templates Prometheus' variables: $labels, $value, $externalLabels,
// $externalURL. OTel label names contain dots, so they are read with index:
// {{ index $labels "gen_ai.request.model" }}.
const tmplHeader = "{{$labels := .Labels}}{{$value := .Value}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}"

type tmplData struct {
	Labels         map[string]string
	Value          float64
	ExternalLabels map[string]string
	ExternalURL    string
}

var tmplFuncs = template.FuncMap{
	"humanize": func(v float64) string {
		if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return strconv.FormatFloat(v, 'g', 4, 64)
		}
		prefixes := []string{"", "k", "M", "G", "T", "P"}
		i := 0
		for math.Abs(v) >= 1000 && i < len(prefixes)-1 {
			v /= 1000
			i++
		}
		return strconv.FormatFloat(v, 'g', 4, 64) + prefixes[i]
	},
	"humanizePercentage": func(v float64) string { return strconv.FormatFloat(v*100, 'g', 4, 64) + "%" },
	"humanizeDuration": func(v float64) string {
		return time.Duration(v * float64(time.Second)).Round(time.Millisecond).String()
	},
	"toUpper": strings.ToUpper,
	"toLower": strings.ToLower,
}

// compiledTemplates is a name → template set (labels or annotations of one rule).
type compiledTemplates map[string]*template.Template

func compileTemplates(kind string, m map[string]string) (compiledTemplates, error) {
	out := make(compiledTemplates, len(m))
	for k, v := range m {
		t, err := template.New(k).Funcs(tmplFuncs).Option("missingkey=zero").Parse(tmplHeader + v)
		if err != nil {
			return nil, fmt.Errorf("%s %q: invalid template: %w", kind, k, err)
		}
		out[k] = t
	}
	return out, nil
}

// expand renders every template; a failing template yields Prometheus' error text so
// the alert still goes out.
func (ct compiledTemplates) expand(data *tmplData) map[string]string {
	out := make(map[string]string, len(ct))
	var buf bytes.Buffer
	for k, t := range ct {
		buf.Reset()
		if err := t.Execute(&buf, data); err != nil {
			out[k] = "<error expanding template: " + err.Error() + ">"
			continue
		}
		out[k] = buf.String()
	}
	return out
}
