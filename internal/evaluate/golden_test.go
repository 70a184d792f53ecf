package evaluate

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

var update = flag.Bool("update", false, "rewrite the expected golden files from the current output")

// goldenFile is testdata/golden/<group>.cases.json: a configuration (as in the collector's
// YAML, over DefaultConfig) and spans to evaluate.
type goldenFile struct {
	Config map[string]any `json:"config"`
	Cases  []goldenCase   `json:"cases"`
}

// goldenCase is one span. Attributes are JSON values: strings, integers (no fraction),
// doubles, booleans, arrays of those; message and tool-definition lists written as JSON
// arrays are stored as the JSON strings normalized spans carry (with "structured": true
// they stay structured), and a string holds a raw (possibly malformed) value. Without
// gen_ai.operation.name the span is a chat; null removes it.
type goldenCase struct {
	Name          string          `json:"name"`
	Status        string          `json:"status"` // "error" or ""
	StatusMessage string          `json:"status_message"`
	Structured    bool            `json:"structured"`
	Attributes    json.RawMessage `json:"attributes"`
	Events        []goldenEvent   `json:"events"` // already on the span
}

type goldenEvent struct {
	Name       string         `json:"name"`
	Attributes map[string]any `json:"attributes"`
}

// goldenResult is what a case produced: the combined score's attributes ("score", or
// "score failing: names"), the events appended, one line each as "name score label:
// explanation" (their event name, source and timestamp are checked apart), and the counts
// that are not zero.
type goldenResult struct {
	Case    string         `json:"case"`
	Quality string         `json:"quality,omitempty"`
	Events  []string       `json:"events"`
	Stats   map[string]any `json:"stats,omitempty"`
}

// TestGolden evaluates every case of testdata/golden/*.cases.json and compares the events
// and counts with <group>.expected.json. Each span then goes through a second time, which
// must change nothing: the span is already evaluated.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.cases.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, file := range files {
		group := strings.TrimSuffix(filepath.Base(file), ".cases.json")
		t.Run(group, func(t *testing.T) {
			var gf goldenFile
			readJSON(t, file, &gf)
			cfg := DefaultConfig()
			if err := confmap.NewFromStringMap(gf.Config).Unmarshal(&cfg); err != nil {
				t.Fatalf("config: %v", err)
			}
			e, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []goldenResult
			names := map[string]bool{}
			for _, c := range gf.Cases {
				if names[c.Name] {
					t.Fatalf("duplicate case name %q", c.Name)
				}
				names[c.Name] = true
				span := goldenSpan(t, c)
				before := span.Events().Len()
				st := e.Span(span)
				res := goldenResult{Case: c.Name, Events: []string{}, Stats: statsMap(st)}
				if v, ok := span.Attributes().Get(genai.QualityScore); ok {
					res.Quality = strconv.FormatFloat(v.Double(), 'g', -1, 64)
					if failing := genai.Str(span.Attributes(), genai.QualityFailing); failing != "" {
						res.Quality += " failing: " + failing
					}
				}
				for i := before; i < span.Events().Len(); i++ {
					ev := span.Events().At(i)
					attrs := ev.Attributes().AsRaw()
					if ev.Name() != genai.EventEvaluationResult || attrs[genai.EvaluationSource] != Source ||
						ev.Timestamp() != span.EndTimestamp() {
						t.Errorf("%s: event %d: name %q, source %v, time %v; want %s from %s at the span's end",
							c.Name, i, ev.Name(), attrs[genai.EvaluationSource], ev.Timestamp(), genai.EventEvaluationResult, Source)
					}
					res.Events = append(res.Events, eventLine(t, ev.Attributes()))
					if leak := quotedContent(span, genai.Str(ev.Attributes(), genai.EvaluationExplanation)); leak != "" {
						t.Errorf("%s: the explanation quotes output content %q", c.Name, leak)
					}
				}
				got = append(got, res)

				n := span.Events().Len()
				again := e.Span(span)
				if span.Events().Len() != n || again.Spans != 0 {
					t.Errorf("%s: a second pass evaluated the span again", c.Name)
				}
				if st.Spans == 1 && again.AlreadyEvaluated != 1 {
					t.Errorf("%s: a second pass did not count the span as already evaluated", c.Name)
				}
			}
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, '\n')
			want := filepath.Join("testdata", "golden", group+".expected.json")
			if *update {
				if err := os.WriteFile(want, out, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			expected, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(out, expected) {
				t.Errorf("output differs from %s:\n%s", want, out)
			}
		})
	}
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// jsonAttributes are the attributes a golden case may write as JSON and that spans carry
// as JSON strings.
var jsonAttributes = map[string]bool{
	genai.OutputMessages: true, genai.InputMessages: true, genai.ToolDefinitions: true, genai.SystemInstructions: true,
}

func goldenSpan(t *testing.T, c goldenCase) ptrace.Span {
	t.Helper()
	span := ptrace.NewSpan()
	span.SetName("chat")
	span.SetStartTimestamp(1764288000000000000)
	span.SetEndTimestamp(1764288002000000000)
	switch c.Status {
	case "error":
		span.Status().SetCode(ptrace.StatusCodeError)
		span.Status().SetMessage(c.StatusMessage)
	case "":
	default:
		t.Fatalf("%s: status %q", c.Name, c.Status)
	}
	attrs := span.Attributes()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(c.Attributes, &raw); err != nil {
		t.Fatalf("%s: attributes: %v", c.Name, err)
	}
	if _, ok := raw[genai.OperationName]; !ok {
		attrs.PutStr(genai.OperationName, genai.OpChat)
	}
	for k, v := range raw {
		if err := putJSON(attrs, k, v, c.Structured); err != nil {
			t.Fatalf("%s: attribute %s: %v", c.Name, k, err)
		}
	}
	for _, ev := range c.Events {
		e := span.Events().AppendEmpty()
		e.SetName(ev.Name)
		if err := e.Attributes().FromRaw(ev.Attributes); err != nil {
			t.Fatal(err)
		}
	}
	return span
}

func putJSON(attrs pcommon.Map, key string, raw json.RawMessage, structured bool) error {
	trimmed := bytes.TrimSpace(raw)
	switch {
	case string(trimmed) == "null":
		return nil
	case jsonAttributes[key] && (trimmed[0] == '[' || trimmed[0] == '{'):
		if structured {
			var v any
			if err := json.Unmarshal(trimmed, &v); err != nil {
				return err
			}
			return attrs.PutEmpty(key).FromRaw(v)
		}
		var b bytes.Buffer
		if err := json.Compact(&b, trimmed); err != nil {
			return err
		}
		attrs.PutStr(key, b.String())
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return err
	}
	return attrs.PutEmpty(key).FromRaw(numbers(v))
}

// numbers turns json.Numbers into int64 (no fraction or exponent) or float64.
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") {
			if n, err := x.Int64(); err == nil {
				return n
			}
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = numbers(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = numbers(x[k])
		}
	}
	return v
}

func eventLine(t *testing.T, attrs pcommon.Map) string {
	score, ok := attrs.Get(genai.EvaluationScoreValue)
	if !ok || score.Type() != pcommon.ValueTypeDouble {
		t.Errorf("%s is not a double", genai.EvaluationScoreValue)
	}
	line := fmt.Sprintf("%s %s %s", genai.Str(attrs, genai.EvaluationName),
		strconv.FormatFloat(score.Double(), 'g', -1, 64), genai.Str(attrs, genai.EvaluationScoreLabel))
	if x := genai.Str(attrs, genai.EvaluationExplanation); x != "" {
		line += ": " + x
	}
	if attrs.Len() != 4+min(1, len(genai.Str(attrs, genai.EvaluationExplanation))) {
		t.Errorf("unexpected attributes on an evaluation event: %v", attrs.AsRaw())
	}
	return line
}

// quotedContent returns output text or a tool-call argument value that the explanation
// quotes: results must never carry content, which may be PII that redaction has not seen.
func quotedContent(span ptrace.Span, explanation string) string {
	v, ok := span.Attributes().Get(genai.OutputMessages)
	if !ok || explanation == "" {
		return ""
	}
	s, err := genai.ValueJSON(v)
	if err != nil {
		return ""
	}
	msgs, err := genai.ParseMessages(s)
	if err != nil {
		return ""
	}
	var values []string
	for _, m := range msgs {
		for _, p := range m.Parts {
			values = append(values, p.Content)
			var args any
			if json.Unmarshal(p.Arguments, &args) == nil {
				collectStrings(args, &values)
			}
		}
	}
	for _, v := range values {
		if len(strings.TrimSpace(v)) >= 4 && strings.Contains(explanation, v) {
			return v
		}
	}
	return ""
}

func collectStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case []any:
		for _, e := range x {
			collectStrings(e, out)
		}
	case map[string]any:
		for _, e := range x {
			collectStrings(e, out)
		}
	}
}

func statsMap(st Stats) map[string]any {
	m := map[string]any{}
	if st.Spans != 0 {
		m["spans"] = st.Spans
	}
	if st.AlreadyEvaluated != 0 {
		m["already_evaluated"] = st.AlreadyEvaluated
	}
	st.Malformed(func(attribute string, spans int) {
		m[fmt.Sprintf("malformed %s", attribute)] = spans
	})
	if len(m) == 0 {
		return nil
	}
	return m
}
