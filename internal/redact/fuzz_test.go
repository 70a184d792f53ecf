package redact

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// FuzzText checks the engine's promises on any input: no panic; a JSON object, array or
// string in gives valid JSON out (docs/redaction.md: those are walked as JSON; a bare
// number such as 70000.0000 is scanned as text, and a phone or card number in it
// replaced by its placeholder); a value the engine flagged never appears in its output
// (unless the same text also occurs where nothing was flagged).
func FuzzText(f *testing.F) {
	for _, s := range []string{
		"mail john@example.com or call +44 20 7946 0958",
		`[{"role":"user","parts":[{"type":"text","content":"card 4111 1111 1111 1111"}]}]`,
		`{"arguments":"{\"email\":\"a@example.com\",\"n\":4111111111111111}","password":"x"}`,
		`["\u00e9\ud83d\ude00 a@example.com\n", 1e5, -0.5, true, null, {}]`,
		"postgres://u:p4ss@db/x Bearer abcDEF123456ghiJKL eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abcdefghijkl",
		"-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
		"DE89 3704 0044 0532 0130 00 536-22-1234 2001:db8::1 192.168.0.1",
		"\xff\xfe invalid",
	} {
		f.Add(s)
	}
	r, err := New(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in string) {
		flagged := map[string]int{}
		out, _, _ := r.text(in, func(fd pii.Finding, _ string, leaf string) {
			if fd.Start < 0 || fd.End > len(leaf) || fd.Start >= fd.End {
				t.Fatalf("finding %+v out of bounds of %q", fd, leaf)
			}
			flagged[leaf[fd.Start:fd.End]]++
		})
		if looksLikeJSON(in) && json.Valid([]byte(in)) && !json.Valid([]byte(out)) {
			t.Fatalf("valid JSON in, invalid out:\n in  %q\n out %q", in, out)
		}
		for v, n := range flagged {
			if len(v) < 6 || n < strings.Count(in, v) || looksLikeJSON(in) {
				// JSON leaves are decoded, so occurrences in the input are not comparable.
				continue
			}
			if strings.Contains(out, v) {
				t.Fatalf("flagged value %q survives:\n in  %q\n out %q", v, in, out)
			}
		}
	})
}

// FuzzJSONLeaves checks the flagged-value promise for JSON: every flagged leaf value is
// gone from the decoded output leaves.
func FuzzJSONLeaves(f *testing.F) {
	f.Add("john@example.com", "+44 20 7946 0958")
	f.Add("4111 1111 1111 1111", `{"k":"AKIAIOSFODNN7EXAMPLE"}`)
	r, err := New(DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		doc, _ := json.Marshal([]any{map[string]any{"role": "user", "content": a}, b, []string{a + " " + b}})
		var flagged []string
		out, _, _ := r.text(string(doc), func(fd pii.Finding, _ string, leaf string) {
			flagged = append(flagged, leaf[fd.Start:fd.End])
		})
		var leaves []any
		if err := json.Unmarshal([]byte(out), &leaves); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out)
		}
		if len(leaves) != 3 {
			t.Fatalf("structure changed: %s", out)
		}
		var orig []any
		_ = json.Unmarshal(doc, &orig)
		before, after := flatten(orig), flatten(leaves)
		counts := map[string]int{}
		for _, v := range flagged {
			counts[v]++
		}
		for v, n := range counts {
			if len(v) >= 6 && n >= strings.Count(before, v) && strings.Contains(after, v) {
				t.Fatalf("flagged %q survives in %s", v, out)
			}
		}
	})
}

func flatten(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteByte(0)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
