package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRulesCheck(t *testing.T) {
	tests := []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"rules", "check", "testdata/rules/good.yaml"}, 0, "Checking testdata/rules/good.yaml\n  SUCCESS: 3 rules found\n"},
		{[]string{"rules", "check", "testdata/rules/bad.yaml"}, 1,
			"Checking testdata/rules/bad.yaml\n  FAILED: rules file testdata/rules/bad.yaml: rules[0] (QuantileOfCounter): expr: histogram_quantile(...): otelcol_llm.requests is a counter, not a histogram; quantiles need a histogram metric such as gen_ai.client.operation.duration\n"},
		{[]string{"rules", "check", "testdata/rules/missing.yaml"}, 1, "no such file"},
		{[]string{"rules"}, 2, ""},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		status := run(tt.args, nil, &out, &errOut)
		if status != tt.status || !strings.Contains(out.String(), tt.want) {
			t.Errorf("%v: status %d, output %q; want %d, %q", tt.args, status, out.String(), tt.status, tt.want)
		}
	}
}
