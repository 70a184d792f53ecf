package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

const testHashKey = configopaque.String("0123456789abcdef0123456789abcdef")

func newRedactor(t *testing.T, mutate func(*Config)) *Redactor {
	t.Helper()
	cfg := DefaultConfig()
	if mutate != nil {
		mutate(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestText(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		in     string
		want   string
		drop   bool
	}{
		{"redact", nil, "mail john@example.com or call +44 20 7946 0958", "mail <EMAIL> or call <PHONE>", false},
		{"nothing to do", nil, "deploy version 10.1.2.3 at 2024-01-15", "deploy version 10.1.2.3 at 2024-01-15", false},
		{"mask card and email", func(c *Config) { c.Actions = map[string]Action{"CREDIT_CARD": ActionMask, "EMAIL": ActionMask} },
			"card 4111-1111-1111-1111 of john@example.com", "card ****-****-****-1111 of j***@example.com", false},
		{"keep counts but leaves the value", func(c *Config) { c.Actions = map[string]Action{"IP_ADDRESS": ActionKeep} },
			"from 192.168.1.20 by john@example.com", "from 192.168.1.20 by <EMAIL>", false},
		{"drop", func(c *Config) { c.Actions = map[string]Action{"US_SSN": ActionDrop} }, "ssn 536-22-1234", "ssn <US_SSN>", true},
		{"default action mask", func(c *Config) { c.DefaultAction = ActionMask }, "ip 192.168.1.20", "ip ***.**8.1.20", false},
		{"allowed value", func(c *Config) { c.AllowedValues = []string{"Support@Example.com"} },
			"write support@example.com, not john@example.com", "write support@example.com, not <EMAIL>", false},
		{"allowed suffix", func(c *Config) { c.AllowedValues = []string{"*@corp.example.com"} },
			"cc ann@corp.example.com and bob@gmail.com", "cc ann@corp.example.com and <EMAIL>", false},
		{"disabled detector", func(c *Config) { c.Detectors = map[string]bool{"EMAIL": false} }, "mail john@example.com", "mail john@example.com", false},
		{"custom detector", func(c *Config) {
			c.CustomDetectors = []CustomDetector{{Name: "EMPLOYEE_ID", Regex: `EMP-[0-9]{6}`, Keywords: []string{"emp-"}}}
		}, "badge EMP-123456 for emp-0", "badge <EMPLOYEE_ID> for emp-0", false},
		{"custom detector with validator", func(c *Config) {
			c.CustomDetectors = []CustomDetector{{Name: "ACCOUNT", Regex: `ACC[0-9]{10}`, Validator: "luhn"}}
		}, "ACC7992739871 ACC7992739870", "ACC7992739871 ACC7992739870", false},
		{"json structure kept", nil,
			`{"to": ["a@example.com", "b@example.org"], "n": 4111111111111111, "ok": true, "x": null, "f": -1.5e3}`,
			`{"to": ["<EMAIL>", "<EMAIL>"], "n": "<CREDIT_CARD>", "ok": true, "x": null, "f": -1.5e3}`, false},
		{"secret keys in json", nil,
			`{"headers": {"Authorization": "Bearer abc", "X-Api-Key": 12345, "accept": "json"}, "password": ["a", {"b": "c"}]}`,
			`{"headers": {"Authorization": "<SECRET>", "X-Api-Key": "<SECRET>", "accept": "json"}, "password": ["<SECRET>", {"b": "<SECRET>"}]}`, false},
		{"double-encoded json", nil,
			`{"arguments": "{\"email\":\"john@example.com\",\"n\":1}"}`,
			`{"arguments": "{\"email\":\"<EMAIL>\",\"n\":1}"}`, false},
		{"escapes and unicode", nil,
			`["caf\u00e9 \ud83d\ude00 john@example.com\n\"q\""]`,
			`["café 😀 <EMAIL>\n\"q\""]`, false},
		{"invalid json scanned as text", nil, `{"a": john@example.com`, `{"a": <EMAIL>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRedactor(t, tt.mutate)
			got, _, drop, _ := r.Text(tt.in)
			if got != tt.want || drop != tt.drop {
				t.Errorf("Text(%q)\n got  %q drop=%v\n want %q drop=%v", tt.in, got, drop, tt.want, tt.drop)
			}
			if json.Valid([]byte(tt.in)) && !json.Valid([]byte(got)) {
				t.Errorf("valid JSON in, invalid JSON out: %s", got)
			}
		})
	}
}

func TestHashIsStableAndKeyed(t *testing.T) {
	hash := func(key configopaque.String, text string) string {
		r := newRedactor(t, func(c *Config) {
			c.Actions = map[string]Action{"EMAIL": ActionHash, "CREDIT_CARD": ActionHash}
			c.HashKey = key
		})
		out, _, _, _ := r.Text(text)
		return out
	}
	a := hash(testHashKey, "john@example.com")
	if !strings.HasPrefix(a, "<EMAIL:") || len(a) != len("<EMAIL:>")+10 {
		t.Fatalf("pseudonym %q", a)
	}
	if b := hash(testHashKey, "JOHN@example.com"); b != a {
		t.Errorf("same address in another case: %q != %q", b, a)
	}
	if b := hash(testHashKey+"x", "john@example.com"); b == a {
		t.Error("another hash_key gives the same pseudonym")
	}
	if b := hash(testHashKey, "jane@example.com"); b == a {
		t.Error("another address gives the same pseudonym")
	}
	if x, y := hash(testHashKey, "4111 1111 1111 1111"), hash(testHashKey, "4111-1111-1111-1111"); x != y {
		t.Errorf("card written two ways: %q != %q", x, y)
	}
	// Golden: pseudonyms must stay stable across releases for the same key.
	if a != "<EMAIL:"+pseudonymOf(testHashKey, pii.Email, "john@example.com")+">" {
		t.Errorf("pseudonym %q is not HMAC-SHA256(key, type 0 value)", a)
	}
}

func TestFailClosed(t *testing.T) {
	big := strings.Repeat("a", 2048)
	deep := strings.Repeat("[", 80) + strings.Repeat("]", 80)
	bad := "john@example.com \xff\xfe"
	tests := []struct {
		name       string
		failClosed bool
		in         string
		want       string
	}{
		{"too big, closed", true, big, "<UNPROCESSED>"},
		{"too big, open", false, big, big},
		{"invalid utf-8, closed", true, bad, "<UNPROCESSED>"},
		{"invalid utf-8, open", false, bad, bad},
		{"too deep, closed", true, deep, `"<UNPROCESSED>"`},
		{"too deep, open", false, deep, deep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRedactor(t, func(c *Config) { c.FailClosed = tt.failClosed; c.Limits.MaxValueBytes = 1024 })
			got, _, _, st := r.Text(tt.in)
			if got != tt.want {
				t.Errorf("got %.40q, want %.40q", got, tt.want)
			}
			if tt.failClosed && st.FailedClosed != 1 || !tt.failClosed && st.Unprocessed != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// spanWith returns traces with one span of service svc, operation op, and attrs.
func spanWith(svc, op string, attrs map[string]any) (ptrace.Traces, ptrace.Span) {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(genai.ServiceName, svc)
	sp := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	if err := sp.Attributes().FromRaw(attrs); err != nil {
		panic(err)
	}
	sp.Attributes().PutStr(genai.OperationName, op)
	return td, sp
}

func TestContentPolicy(t *testing.T) {
	msgs := `[{"role":"user","parts":[{"type":"text","content":"I am john@example.com, héllo"}]},` +
		`{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"lookup","arguments":{"city":"Paris"}}],"finish_reason":"stop"}]`
	cfg := func(c *Config) {
		c.Content.Services = map[string]string{"billing": "none", "support": "truncate: 10"}
		c.Content.Operations = map[string]string{"embeddings": "none", "chat": "truncate: 12"}
	}
	tests := []struct {
		svc, op string
		want    string
	}{
		{"web", "execute_tool", `[{"role":"user","parts":[{"type":"text","content":"I am <EMAIL>, héllo"}]},{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"lookup","arguments":{"city":"Paris"}}],"finish_reason":"stop"}]`},
		{"billing", "execute_tool", `[{"role":"user","parts":[{"type":"text","content":"<OMITTED:28>"}]},{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"lookup","arguments":{"city":"<OMITTED:5>"}}],"finish_reason":"stop"}]`},
		{"web", "embeddings", `[{"role":"user","parts":[{"type":"text","content":"<OMITTED:28>"}]},{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"lookup","arguments":{"city":"<OMITTED:5>"}}],"finish_reason":"stop"}]`},
		// The stricter of service (10) and operation (12) wins; truncation counts characters.
		{"support", "chat", `[{"role":"user","parts":[{"type":"text","content":"I am <EMAI…"}]},{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"lookup","arguments":{"city":"Paris"}}],"finish_reason":"stop"}]`},
	}
	for _, tt := range tests {
		t.Run(tt.svc+"/"+tt.op, func(t *testing.T) {
			r := newRedactor(t, cfg)
			td, sp := spanWith(tt.svc, tt.op, map[string]any{genai.InputMessages: msgs, "note": "for john@example.com"})
			r.Traces(td)
			got, _ := sp.Attributes().Get(genai.InputMessages)
			if got.Str() != tt.want {
				t.Errorf("messages\n got  %s\n want %s", got.Str(), tt.want)
			}
			if note, _ := sp.Attributes().Get("note"); note.Str() != "for <EMAIL>" {
				t.Errorf("non-content attribute: %q", note.Str())
			}
		})
	}
}

func TestKeyActions(t *testing.T) {
	r := newRedactor(t, func(c *Config) {
		c.KeyActions = map[string]Action{"user.id": ActionHash, "http.request.header.cookie": ActionDrop}
		c.HashKey = testHashKey
		c.AllowedKeys = []string{"support.contact"}
		c.SecretKeys = []string{"pin"}
	})
	td, sp := spanWith("web", "chat", map[string]any{
		"user.id":                           "u-123",
		"http.request.header.cookie":        []any{"session=abc"},
		"http.request.header.authorization": []any{"Bearer abc", "Basic xyz"},
		"support.contact":                   "help@example.com",
		"app.card.pin":                      4321,
		"gen_ai.usage.input_tokens":         1200,
		"payment.card":                      int64(4111111111111111),
	})
	st := r.Traces(td)
	got := sp.Attributes().AsRaw()
	want := map[string]any{
		"user.id":                           "<USER_ID:" + pseudonymOf(testHashKey, "USER_ID", "u-123") + ">",
		"http.request.header.authorization": []any{"<SECRET>", "<SECRET>"},
		"support.contact":                   "help@example.com",
		"app.card.pin":                      "<SECRET>",
		"gen_ai.usage.input_tokens":         int64(1200),
		"payment.card":                      "<CREDIT_CARD>",
		genai.OperationName:                 "chat",
		genai.RedactionSummary:              `{"CREDIT_CARD":1,"SECRET":3,"USER_ID":1,"HTTP_REQUEST_HEADER_COOKIE":1}`,
	}
	want[genai.RedactionSummary] = `{"CREDIT_CARD":1,"HTTP_REQUEST_HEADER_COOKIE":1,"SECRET":3,"USER_ID":1}`
	for k, w := range want {
		g, _ := json.Marshal(got[k])
		e, _ := json.Marshal(w)
		if string(g) != string(e) {
			t.Errorf("%s = %s, want %s", k, g, e)
		}
	}
	if _, ok := got["http.request.header.cookie"]; ok {
		t.Error("dropped attribute is still there")
	}
	if st.AttributesDropped != 1 || st.Findings[pii.Secret] != 3 {
		t.Errorf("stats %+v", st)
	}
}

// pseudonymOf recomputes a pseudonym as documented: the first 10 hex digits of
// HMAC-SHA256(hash_key, type + 0x00 + canonical value).
func pseudonymOf(key configopaque.String, e pii.Entity, v string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(string(e) + "\x00" + v))
	return hex.EncodeToString(m.Sum(nil))[:10]
}

func TestTimeBudget(t *testing.T) {
	// A budget no scan can meet: a large value fails closed (JSON stays JSON), a small
	// value is not timed at all.
	r := newRedactor(t, func(c *Config) { c.Limits.TimeBudget = time.Nanosecond })
	big := `["` + strings.Repeat("plain words ", 500) + `"]`
	out, _, _, st := r.Text(big)
	if out != `"<UNPROCESSED>"` || st.OverBudget != 1 || st.FailedClosed != 1 {
		t.Errorf("big value: %.40q, stats %+v", out, st)
	}
	if out, _, _, _ := r.Text("mail a@example.com"); out != "mail <EMAIL>" {
		t.Errorf("small value: %q", out)
	}
}

func TestLogBodyDrop(t *testing.T) {
	r := newRedactor(t, func(c *Config) { c.Actions = map[string]Action{"US_SSN": ActionDrop} })
	ld := plog.NewLogs()
	records := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords()
	str := records.AppendEmpty()
	str.Body().SetStr("ssn 536-22-1234")
	m := records.AppendEmpty()
	_ = m.Body().SetEmptyMap().FromRaw(map[string]any{"ssn": "536-22-1234", "tags": []any{"ssn 536-22-1234"}, "ok": "fine"})
	sl := records.AppendEmpty()
	_ = sl.Body().SetEmptySlice().FromRaw([]any{"x", "536-22-1234"})
	st := r.Logs(ld)
	// A string body keeps its placeholders, a map loses the members that held the
	// value, a slice body becomes <DROPPED>.
	if got := str.Body().Str(); got != "ssn <US_SSN>" {
		t.Errorf("string body %q", got)
	}
	if got := m.Body().Map().AsRaw(); len(got) != 1 || got["ok"] != "fine" {
		t.Errorf("map body %v", got)
	}
	if got := sl.Body().Str(); got != "<DROPPED>" {
		t.Errorf("slice body %q", got)
	}
	if st.Findings[pii.USSSN] != 4 || st.AttributesDropped != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestStatsAdd(t *testing.T) {
	a := Stats{Findings: map[pii.Entity]int{pii.Email: 1}, ValuesScanned: 2, FailedClosed: 1}
	a.Add(Stats{Findings: map[pii.Entity]int{pii.Email: 2, pii.Phone: 1}, ValuesScanned: 3, Unprocessed: 4})
	if a.Findings[pii.Email] != 3 || a.Findings[pii.Phone] != 1 || a.ValuesScanned != 5 || a.FailedClosed != 1 ||
		a.Unprocessed != 4 || a.TotalFindings() != 4 {
		t.Errorf("%+v", a)
	}
}
