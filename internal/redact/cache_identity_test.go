package redact

import (
	"fmt"
	"slices"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/redact/chatcorpus"
)

// identityConfigs are the configurations under which cached findings must give the
// output of a fresh scan: every action, allow-lists and content policies apply to the
// remembered findings as to new ones.
var identityConfigs = map[string]func(*Config){
	"default": nil,
	"actions": func(c *Config) {
		c.HashKey = "0123456789abcdef0123456789abcdef"
		c.Actions = map[string]Action{"EMAIL": ActionHash, "CREDIT_CARD": ActionMask, "PHONE": ActionKeep, "IBAN": ActionDrop}
	},
	"allow-and-truncate": func(c *Config) {
		c.AllowedValues = []string{"*@example.com"}
		c.Content.Default = "truncate: 120"
	},
	"custom": func(c *Config) {
		c.CustomDetectors = []CustomDetector{{Name: "ORDER_NUMBER", Regex: `#[0-9]{9}`}}
	},
}

// TestScanCacheOutputIsAFreshScan runs the conversation corpus (every call resends its
// history, one user turn in five with PII, so most PII turns come back several times)
// through a Redactor with the scan cache and one without, span by span: the spans, the
// summaries and the counts must be the same bytes, while the cache answers most texts,
// those with findings included.
func TestScanCacheOutputIsAFreshScan(t *testing.T) {
	calls := chatcorpus.Conversations(11, chatcorpus.Shape{Calls: 1500, MinTurns: 3, MaxTurns: 9, PIIShare: 0.3})
	for name, mutate := range identityConfigs {
		t.Run(name, func(t *testing.T) {
			cached := newRedactor(t, mutate)
			fresh := newRedactor(t, func(c *Config) {
				if mutate != nil {
					mutate(c)
				}
				c.ScanCacheEntries = 0
			})
			var hits, misses int
			for pass := range uint32(2) {
				for i, c := range calls {
					td := callSpan(c, pass)
					want := ptrace.NewTraces()
					td.CopyTo(want)
					st := cached.Traces(td)
					wantSt := fresh.Traces(want)
					hits += st.ScanCacheHits
					misses += st.ScanCacheMisses
					if !equalTraces(td, want) {
						t.Fatalf("pass %d call %d: cached output differs from a fresh scan:\n got %v\nwant %v",
							pass, i, spanAttrs(td), spanAttrs(want))
					}
					st.ScanCacheHits, st.ScanCacheMisses = 0, 0
					if fmt.Sprint(st) != fmt.Sprint(wantSt) {
						t.Fatalf("pass %d call %d: stats %+v, fresh scan %+v", pass, i, st, wantSt)
					}
				}
			}
			if hits < misses {
				t.Errorf("%d hits, %d misses: the history should mostly hit", hits, misses)
			}
			if n := cached.cache.withFindings(); n < 100 {
				t.Errorf("%d cached texts with findings: PII turns are not remembered", n)
			}
		})
	}
}

// callSpan is one span holding call c's messages, stamped for a pass.
func callSpan(c chatcorpus.Call, pass uint32) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(genai.ServiceName, "support-bot")
	a := rs.ScopeSpans().AppendEmpty().Spans().AppendEmpty().Attributes()
	a.PutStr(genai.OperationName, genai.OpChat)
	a.PutStr(genai.InputMessages, string(chatcorpus.NewTemplate([]byte(c.Input)).Stamp(nil, pass)))
	a.PutStr(genai.OutputMessages, string(chatcorpus.NewTemplate([]byte(c.Output)).Stamp(nil, pass)))
	return td
}

func spanAttrs(td ptrace.Traces) map[string]any {
	return td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes().AsRaw()
}

func equalTraces(a, b ptrace.Traces) bool {
	var m ptrace.JSONMarshaler
	x, err1 := m.MarshalTraces(a)
	y, err2 := m.MarshalTraces(b)
	return err1 == nil && err2 == nil && slices.Equal(x, y)
}

// FuzzScanCache: for any text or JSON document, redacting it again (answered by the
// cache) gives the bytes, findings and drop decision of a scan without the cache.
func FuzzScanCache(f *testing.F) {
	for _, s := range []string{
		"The deployment of checkout-api failed again, write to ops.lead@example.com on the memory request.",
		`[{"role":"user","parts":[{"type":"text","content":"card 4111 1111 1111 1111 and IBAN DE89 3704 0044 0532 0130 00, thanks a lot"}]}]`,
		`{"arguments":"{\"email\":\"a@example.com\",\"note\":\"call +44 20 7946 0958 before noon, or write to b@example.org\"}"}`,
		"Bearer abcDEF123456ghiJKL and AKIAIOSFODNN7EXAMPLE with wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY in the same ticket",
		"\u00e9\u00e8 caf\u00e9 na\u00efve r\u00e9sum\u00e9 536-22-1234 192.168.10.200 2001:db8::1 \u2028 postgres://u:p4ss@db/x",
	} {
		f.Add(s)
	}
	build := func(entries int) *Redactor {
		cfg := DefaultConfig()
		identityConfigs["actions"](&cfg)
		cfg.ScanCacheEntries = entries
		r, err := New(cfg)
		if err != nil {
			f.Fatal(err)
		}
		return r
	}
	cached, fresh := build(DefaultScanCacheEntries), build(0)
	f.Fuzz(func(t *testing.T, in string) {
		want, wantFound, wantDrop, _ := fresh.Text(in)
		for round := range 2 {
			got, found, drop, st := cached.Text(in)
			if got != want || drop != wantDrop || !slices.Equal(found, wantFound) {
				t.Fatalf("round %d (%d hits): %q %v %v, fresh scan %q %v %v", round, st.ScanCacheHits, got, found, drop, want, wantFound, wantDrop)
			}
			if round == 1 && st.ScanCacheMisses > 0 && len(found) <= maxCachedFindings && !looksLikeJSON(in) {
				t.Fatalf("second round of a text with %d findings missed the cache", len(found))
			}
		}
	})
}
