package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runRedactCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(append([]string{"redact"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeConfig(t *testing.T, yaml string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "collector.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRedactTextDefaults(t *testing.T) {
	code, out, errOut := runRedactCmd(t, "mail john@example.com, card 4111 1111 1111 1111\n")
	if code != 1 {
		t.Fatalf("exit %d (want 1: findings): %s", code, errOut)
	}
	want := "mail <EMAIL>, card <CREDIT_CARD>\n\nfindings:\n  EMAIL              text [5:21]\n  CREDIT_CARD        text [28:47]\ncounts: CREDIT_CARD=1 EMAIL=1\n"
	if out != want {
		t.Errorf("output\n%s\nwant\n%s", out, want)
	}
	if strings.Contains(out, "john@") || strings.Contains(out, "4111 1111") {
		t.Error("a value leaked into the findings")
	}
}

func TestRedactNothingFound(t *testing.T) {
	code, out, _ := runRedactCmd(t, "deploy version 10.1.2.3 on 2024-01-15")
	if code != 0 || out != "deploy version 10.1.2.3 on 2024-01-15\n\nno findings\n" {
		t.Fatalf("exit %d, output %q", code, out)
	}
}

// TestRedactUsesCollectorConfig reads the same section as the collector: the chosen llm
// processor's redaction block, with ${env:...} resolved.
func TestRedactUsesCollectorConfig(t *testing.T) {
	t.Setenv("LLMCTL_TEST_HASH_KEY", "0123456789abcdef0123456789abcdef")
	cfg := writeConfig(t, `
receivers:
  otlp:
    protocols:
      http:
processors:
  batch:
  llm/dev:
    redaction:
      detectors: {EMAIL: false}
  llm/prod:
    redaction:
      enabled: true
      actions: {EMAIL: hash, CREDIT_CARD: mask}
      hash_key: ${env:LLMCTL_TEST_HASH_KEY}
      allowed_values: [support@example.com]
      custom_detectors:
        - name: EMPLOYEE_ID
          regex: 'EMP-[0-9]{6}'
exporters:
  debug:
service:
  pipelines:
    traces: {receivers: [otlp], processors: [llm/prod], exporters: [debug]}
`)
	in := `[{"role":"user","parts":[{"type":"text","content":"I am john@example.com (EMP-123456), card 4111-1111-1111-1111; write support@example.com"}]}]`
	code, out, errOut := runRedactCmd(t, in, "--config", cfg, "--processor", "llm/prod", "--json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res redactResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	wantOut := `[{"role":"user","parts":[{"type":"text","content":"I am <EMAIL:` // pseudonym follows
	if !strings.HasPrefix(res.Output, wantOut) ||
		!strings.Contains(res.Output, `> (<EMPLOYEE_ID>), card ****-****-****-1111; write support@example.com"}]}]`) {
		t.Errorf("output %s", res.Output)
	}
	if res.Counts["EMAIL"] != 1 || res.Counts["EMPLOYEE_ID"] != 1 || res.Counts["CREDIT_CARD"] != 1 || len(res.Findings) != 3 {
		t.Errorf("findings %+v counts %v", res.Findings, res.Counts)
	}
	if res.Findings[0].Path != "$[0].parts[0].content" || res.Findings[0].Start != 5 || res.Findings[0].End != 21 {
		t.Errorf("first finding %+v", res.Findings[0])
	}

	// Several llm processors and none chosen: a clear error.
	if code, _, errOut := runRedactCmd(t, "x", "--config", cfg); code != 2 || !strings.Contains(errOut, "several llm processors (llm/dev, llm/prod): choose one with --processor") {
		t.Errorf("exit %d, %q", code, errOut)
	}
	// An invalid section fails with the field named.
	bad := writeConfig(t, "processors:\n  llm:\n    redaction:\n      actions: {EMAIL: erase}\n")
	if code, _, errOut := runRedactCmd(t, "x", "--config", bad); code != 2 || !strings.Contains(errOut, `actions.EMAIL: "erase" is not an action`) {
		t.Errorf("exit %d, %q", code, errOut)
	}
}
