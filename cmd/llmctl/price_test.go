package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runPriceCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(append([]string{"price"}, args...), strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// fields squeezes runs of spaces so that assertions do not depend on column widths.
func fields(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestPriceBedrockTiered(t *testing.T) {
	code, out, errOut := runPriceCmd(t, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "--provider", "aws.bedrock",
		"--input", "250000", "--output", "2000", "--cache-read", "100000", "--cache-write", "20000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := fields(out)
	// The "us." profile is a regional endpoint (10% over Anthropic's prices), and above 200k
	// input every token takes the long-context prices ($6.60 / $24.75 / $0.66 / $8.25):
	// 130,000 uncached × 6.6 = 0.858; 100,000 read × 0.66 = 0.066; 20,000 written × 8.25 =
	// 0.165; 2,000 out × 24.75 = 0.0495 (all per 1e6); total 1.1385.
	for _, want := range []string{
		"entry: claude-sonnet-4-5 (aws.bedrock, regional endpoints)",
		"source: https://aws.amazon.com/bedrock/pricing/",
		"base 3.3 16.5 0.33 4.125 16.5 (as output)",
		"input > 200000 6.6 24.75 0.66 8.25 24.75 (as output)",
		"input (uncached) 0.858000", "cache read 0.066000", "cache write 0.165000",
		"output (not reasoning) 0.049500", "reasoning 0.000000", "total 1.138500",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestPriceUnpriced(t *testing.T) {
	code, out, _ := runPriceCmd(t, "--provider", "openai", "gpt-9-ultra")
	if code != 1 || !strings.Contains(out, "gpt-9-ultra on openai: unpriced") {
		t.Fatalf("exit %d, output %q", code, out)
	}
}

func TestPriceUsageErrors(t *testing.T) {
	if code, _, errOut := runPriceCmd(t); code != 2 || !strings.Contains(errOut, "usage: llmctl price MODEL") {
		t.Fatalf("no model: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runPriceCmd(t, "gpt-4o", "--input", "-5"); code != 2 || !strings.Contains(errOut, "want a token count >= 0") {
		t.Fatalf("negative count: exit %d, %q", code, errOut)
	}
}

// TestPriceCollectorConfig prices with the pricing section of a collector config: inline
// prices, aliases and a price file named through an environment variable.
func TestPriceCollectorConfig(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "litellm.json")
	if err := os.WriteFile(file, []byte(`{"house-model": {"litellm_provider": "openai", "input_cost_per_token": 4e-06, "output_cost_per_token": 1.6e-05}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PRICE_FILE", file)
	cfgPath := filepath.Join(dir, "collector.yaml")
	yaml := `receivers:
  otlp:
    protocols: {grpc: {}}
processors:
  batch: {}
  llm/prod:
    pricing:
      enabled: true
      aliases:
        prod-chat: gpt-4o
      prices:
        - model: gpt-4o
          input: 1
          output: 2
      files:
        - path: ${env:PRICE_FILE}
          format: litellm
`
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	// Alias → gpt-4o → the inline $1 / $2: 1,000,000 × 1/1e6 + 500,000 × 2/1e6 = 2.
	code, out, errOut := runPriceCmd(t, "prod-chat", "--config", cfgPath, "--provider", "azure.ai.openai", "--input", "1000000", "--output", "500000")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := fields(out); !strings.Contains(got, "entry: gpt-4o (any provider)") || !strings.Contains(got, "catalog: config") || !strings.Contains(got, "total 2.000000") {
		t.Fatalf("output:\n%s", out)
	}
	// The file's model: 1,000 × 4/1e6 = 0.004.
	code, out, errOut = runPriceCmd(t, "house-model", "--config", cfgPath, "--input", "1000")
	if code != 0 || !strings.Contains(fields(out), "catalog: "+file) || !strings.Contains(fields(out), "total 0.004000") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}

	// Two llm processors: the user must choose.
	two := strings.Replace(yaml, "  batch: {}", "  batch: {}\n  llm: {}", 1)
	if err := os.WriteFile(cfgPath, []byte(two), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runPriceCmd(t, "gpt-4o", "--config", cfgPath); code != 1 || !strings.Contains(errOut, "several llm processors (llm, llm/prod): choose one with --processor") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if code, out, errOut := runPriceCmd(t, "gpt-4o", "--config", cfgPath, "--processor", "llm/prod"); code != 0 || !strings.Contains(fields(out), "catalog: config") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}

	// A bad pricing section is reported with its path.
	bad := strings.Replace(yaml, "format: litellm", "format: csv", 1)
	if err := os.WriteFile(cfgPath, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runPriceCmd(t, "gpt-4o", "--config", cfgPath); code != 1 || !strings.Contains(errOut, `processors::llm/prod::pricing: files[0].format: must be genai-prices or litellm, got "csv"`) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}
