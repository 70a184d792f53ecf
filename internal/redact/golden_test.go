package redact

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenConfig is the configuration of the golden tests: defaults, plus a none content
// policy for the billing service so the log golden shows it.
func goldenConfig(c *Config) { c.Content.Services = map[string]string{"billing": "none"} }

func TestTracesGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "traces.json"))
	if err != nil {
		t.Fatal(err)
	}
	td, err := (&ptrace.JSONUnmarshaler{}).UnmarshalTraces(in)
	if err != nil {
		t.Fatal(err)
	}
	newRedactor(t, goldenConfig).Traces(td)
	out, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "traces.golden.json", out)
}

func TestLogsGolden(t *testing.T) {
	in, err := os.ReadFile(filepath.Join("testdata", "logs.json"))
	if err != nil {
		t.Fatal(err)
	}
	ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(in)
	if err != nil {
		t.Fatal(err)
	}
	newRedactor(t, goldenConfig).Logs(ld)
	out, err := (&plog.JSONMarshaler{}).MarshalLogs(ld)
	if err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "logs.golden.json", out)
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s differs from the output:\n%s", path, pretty.String())
	}
}
