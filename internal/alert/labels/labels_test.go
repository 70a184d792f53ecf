package labels

import (
	"strings"
	"testing"
)

func TestFingerprintIsAlertmanagers(t *testing.T) {
	// FNV-1a 64 over "alertname\xffLLMErrorRateHigh\xffseverity\xffcritical\xff", computed
	// independently (Python); Alertmanager shows the same 16 hex digits.
	ls := FromMap(map[string]string{"severity": "critical", "alertname": "LLMErrorRateHigh", "empty": ""})
	if got := ls.ID(); got != "90badf67e26fb295" {
		t.Fatalf("ID = %s", got)
	}
	if ls.Has("empty") || len(ls) != 2 {
		t.Fatalf("empty values must be dropped: %s", ls)
	}
}

func TestGroupHash(t *testing.T) {
	a := FromMap(map[string]string{"model": "gpt", "service.name": "chat", "error.type": "timeout"})
	b := FromMap(map[string]string{"model": "gpt", "service.name": "chat", "error.type": "rate_limit"})
	c := FromMap(map[string]string{"model": "claude", "service.name": "chat"})
	by := []string{"model", "service.name"}
	if a.GroupHash(by, false) != b.GroupHash(by, false) || a.GroupHash(by, false) == c.GroupHash(by, false) {
		t.Fatal("by: same subset must hash equal, different must not")
	}
	if a.GroupHash([]string{"error.type"}, true) != b.GroupHash([]string{"error.type"}, true) {
		t.Fatal("without: dropping the differing label must hash equal")
	}
}

func TestParseMatcher(t *testing.T) {
	tests := []struct {
		in, want string
		matches  map[string]bool
	}{
		{`severity="critical"`, `severity="critical"`, map[string]bool{"critical": true, "warning": false}},
		{`severity = critical`, `severity="critical"`, map[string]bool{"critical": true}},
		{`model=~"gpt-.*"`, `model=~"gpt-.*"`, map[string]bool{"gpt-4o": true, "my-gpt-4o": false}}, // anchored
		{`model!~"gpt-.*"`, `model!~"gpt-.*"`, map[string]bool{"claude": true, "gpt-4o": false}},
		{`gen_ai.provider.name!="openai"`, `gen_ai.provider.name!="openai"`, map[string]bool{"": true, "openai": false}},
	}
	for _, tt := range tests {
		m, err := ParseMatcher(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		if m.String() != tt.want {
			t.Errorf("%s printed %s", tt.in, m)
		}
		for v, want := range tt.matches {
			if m.Matches(v) != want {
				t.Errorf("%s on %q = %v", tt.in, v, !want)
			}
		}
	}
	for in, want := range map[string]string{
		`severity`:        "want name, operator",
		`sev-erity="x"`:   "invalid label name",
		`model=~"("`:      "invalid regexp",
		`model="unclosed`: "bad quoted value",
		`=x`:              "want name, operator",
	} {
		if _, err := ParseMatcher(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseMatcher(%q) = %v, want %q", in, err, want)
		}
	}
}
