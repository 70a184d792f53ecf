package sse

import (
	"strings"
	"testing"
)

type got struct{ name, data string }

func parseAll(maxSize int, pieces ...[]byte) ([]got, *Parser) {
	var out []got
	p := New(maxSize, func(e Event) { out = append(out, got{string(e.Name), string(e.Data)}) })
	for _, b := range pieces {
		p.Feed(b)
	}
	return out, p
}

func TestParser(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []got
		pending bool
	}{
		{"openai chunks", "data: {\"a\":1}\n\ndata: [DONE]\n\n", []got{{"", `{"a":1}`}, {"", "[DONE]"}}, false},
		{"anthropic named events", "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: ping\ndata: {}\n\n",
			[]got{{"message_start", `{"type":"message_start"}`}, {"ping", "{}"}}, false},
		{"crlf and cr line ends", "data: a\r\n\r\ndata: b\r\rdata:c\n\n", []got{{"", "a"}, {"", "b"}, {"", "c"}}, false},
		{"multi-line data joined with LF", "data: a\ndata: b\n\n", []got{{"", "a\nb"}}, false},
		{"comments, id and retry ignored", ": keep-alive\nid: 7\nretry: 10\ndata: x\n\n", []got{{"", "x"}}, false},
		{"event without data is not dispatched", "event: ping\n\n", nil, false},
		{"leading BOM skipped", "\xef\xbb\xbfdata: x\n\n", []got{{"", "x"}}, false},
		{"only one leading space stripped", "data:  x\n\n", []got{{"", " x"}}, false},
		{"truncated stream is pending", "data: {\"a\":1}\n\ndata: {\"b\"", []got{{"", `{"a":1}`}}, true},
		{"event name does not leak into the next event", "event: a\ndata: 1\n\ndata: 2\n\n", []got{{"a", "1"}, {"", "2"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			whole, p := parseAll(1<<20, []byte(tt.in))
			assertEvents(t, whole, tt.want)
			if p.Pending() != tt.pending {
				t.Errorf("Pending() = %v, want %v", p.Pending(), tt.pending)
			}
			// Every split point must give the same events: a proxy reads arbitrary pieces.
			for i := 0; i <= len(tt.in); i++ {
				split, _ := parseAll(1<<20, []byte(tt.in[:i]), []byte(tt.in[i:]))
				assertEvents(t, split, tt.want)
			}
		})
	}
}

func TestParserDropsOversizedEvents(t *testing.T) {
	in := "data: " + strings.Repeat("x", 100) + "\n\ndata: small\n\n"
	for _, pieces := range [][][]byte{
		{[]byte(in)},
		{[]byte(in[:50]), []byte(in[50:])},
	} {
		out, p := parseAll(32, pieces...)
		assertEvents(t, out, []got{{"", "small"}})
		if p.Dropped != 1 {
			t.Errorf("Dropped = %d, want 1", p.Dropped)
		}
	}
}

func assertEvents(t *testing.T, got, want []got) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events %q, want %d %q", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("event %d = %q, want %q", i, got[i], want[i])
		}
	}
}

// FuzzParser checks that any split of any input yields the events of parsing it whole,
// and that a small size limit never lets the parser hold more than it allows.
func FuzzParser(f *testing.F) {
	// Seed corpus: testdata/fuzz/FuzzParser (OpenAI and Anthropic streams, line-end edge cases).
	f.Fuzz(func(t *testing.T, in []byte, cut uint16) {
		i := int(cut) % (len(in) + 1)
		whole, _ := parseAll(1<<20, in)
		split, _ := parseAll(1<<20, in[:i], in[i:])
		assertEvents(t, split, whole)
		var bytewise [][]byte
		for j := range in {
			bytewise = append(bytewise, in[j:j+1])
		}
		one, _ := parseAll(1<<20, bytewise...)
		assertEvents(t, one, whole)

		small, p := parseAll(16, in[:i], in[i:])
		for _, e := range small {
			if len(e.data) > 16 {
				t.Fatalf("event of %d bytes passed a 16-byte limit", len(e.data))
			}
		}
		if cap(p.line) > 64 || cap(p.data) > 64 {
			t.Fatalf("parser grew to line %d, data %d bytes with a 16-byte limit", cap(p.line), cap(p.data))
		}
	})
}
