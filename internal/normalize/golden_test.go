package normalize

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var update = flag.Bool("update", false, "rewrite the expected golden files from the current output")

// goldenConfigs gives the configuration of each testdata directory; directories not
// listed use DefaultConfig.
func goldenConfig(dir string) Config {
	cfg := DefaultConfig()
	switch dir {
	case "remove_originals":
		cfg.KeepOriginals = false
	case "custom":
		cfg.CustomMappings = []Mapping{
			{From: "app.llm.model", To: "gen_ai.request.model"},
			{From: "app.llm.vendor", To: "gen_ai.system"},
			{From: "app.session", To: "gen_ai.conversation.id"},
		}
	}
	return cfg
}

// TestGolden runs every testdata/<dir>/<case>.input.json through the normalizer and
// compares with <case>.expected.json, then checks that a second pass changes nothing.
// Files named *.logs.input.json hold OTLP logs, the others OTLP traces.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*", "*.input.json"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, in := range inputs {
		dir := filepath.Base(filepath.Dir(in))
		name := dir + "/" + strings.TrimSuffix(filepath.Base(in), ".input.json")
		t.Run(name, func(t *testing.T) {
			n, err := New(goldenConfig(dir))
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			logs := strings.HasSuffix(in, ".logs.input.json")
			first, res1 := runGolden(t, n, data, logs)
			if res1.Sources == 0 && res1.Errors == 0 && !strings.Contains(name, "unchanged") {
				t.Errorf("first pass recognised no convention")
			}
			want := strings.TrimSuffix(in, ".input.json") + ".expected.json"
			if *update {
				if err := os.WriteFile(want, first, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			expected, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(first, expected) {
				t.Errorf("output differs from %s:\n%s", want, first)
			}
			second, res2 := runGolden(t, n, first, logs)
			if !bytes.Equal(second, first) {
				t.Errorf("second pass changed the output:\n%s", second)
			}
			if res2.Sources != 0 {
				t.Errorf("second pass reported changes by %v", res2.Sources.Names())
			}
			if res2.Errors > res1.Errors {
				t.Errorf("second pass counted %d errors, more than the first (%d)", res2.Errors, res1.Errors)
			}
		})
	}
}

// runGolden normalizes OTLP JSON and returns the indented OTLP JSON output.
func runGolden(t *testing.T, n *Normalizer, data []byte, logs bool) ([]byte, Result) {
	t.Helper()
	var out []byte
	var res Result
	if logs {
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(data)
		if err != nil {
			t.Fatal(err)
		}
		res = n.Logs(ld)
		out, err = (&plog.JSONMarshaler{}).MarshalLogs(ld)
		if err != nil {
			t.Fatal(err)
		}
	} else {
		td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(data)
		if err != nil {
			t.Fatal(err)
		}
		rss := td.ResourceSpans()
		for i := range rss.Len() {
			sss := rss.At(i).ScopeSpans()
			for j := range sss.Len() {
				spans := sss.At(j).Spans()
				for k := range spans.Len() {
					res.Merge(n.Span(spans.At(k)))
				}
			}
		}
		out, err = (&ptrace.JSONMarshaler{}).MarshalTraces(td)
		if err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := json.Indent(&b, out, "", "  "); err != nil {
		t.Fatal(err)
	}
	b.WriteByte('\n')
	return b.Bytes(), res
}
