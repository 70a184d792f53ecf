package redact

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// TestPlainJSON8: the word-wide test agrees with the byte-wise definition for every
// byte value at every position, next to plain and to other special bytes.
func TestPlainJSON8(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	check := func(w []byte) {
		want := true
		for _, c := range w {
			want = want && plain(c)
		}
		if got := plainJSON8(load64(string(w), 0)); got != want {
			t.Fatalf("plainJSON8(%q) = %v, want %v", w, got, want)
		}
	}
	for b := range 256 {
		for pos := range 8 {
			w := []byte("abcdefgh")
			w[pos] = byte(b)
			check(w)
			w = []byte("\x20\x21\x23\x5b\x5d\x7e\x7f\x20")
			w[pos] = byte(b)
			check(w)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		var w [8]byte
		for k := range w {
			w[k] = byte(r.IntN(256))
			if r.IntN(2) == 0 {
				w[k] = byte(0x1e + r.IntN(0x62)) // around the bounds and specials
			}
		}
		check(w[:])
	}
}

// TestQuoteOrBackslash: the word-wide test marks exactly the quotes and backslashes, for
// every byte value at every position.
func TestQuoteOrBackslash(t *testing.T) {
	for b := range 256 {
		for pos := range 8 {
			w := []byte("a\"b\\cdef")
			w[pos] = byte(b)
			m := quoteOrBackslash(load64(string(w), 0))
			for k, c := range w {
				if got, want := m&(0x80<<(8*k)) != 0, c == '"' || c == '\\'; got != want {
					t.Fatalf("quoteOrBackslash(%q) marks byte %d: %v, want %v", w, k, got, want)
				}
			}
		}
	}
}

// TestStringToken: strings end at the first unescaped quote and report their escapes,
// whether the quote falls in the first bytes read word-wide or after them.
func TestStringToken(t *testing.T) {
	for _, tc := range []struct {
		body    string
		escaped bool
	}{
		{"", false},
		{"role", false},
		{"0123456", false},
		{"01234567", false},
		{"012345678", false},
		{`a\"b`, true},
		{`0123456789\\`, true},
		{`\\\\`, true},
		{"é ü \u2028 <&> " + strings.Repeat("x", 40), false},
		{strings.Repeat("y", 31) + `\"` + strings.Repeat("z", 40), true},
		{strings.Repeat("y", 100), false},
		{strings.Repeat("y", 100) + `\n`, true},
	} {
		for pad := range 9 {
			src := strings.Repeat(" ", pad) + `"` + tc.body + `"` + `, "next"`
			w := jsonWalker{src: src}
			end, raw, escaped, ok := w.stringToken(pad)
			if !ok || raw != tc.body || end != pad+len(tc.body)+2 || escaped != tc.escaped {
				t.Errorf("stringToken(%q, %d) = %d %q %v %v", src, pad, end, raw, escaped, ok)
			}
		}
	}
	if _, _, _, ok := (&jsonWalker{src: `"unterminated \" string`}).stringToken(0); ok {
		t.Error("an unterminated string was accepted")
	}
}

// TestMessageMembersAreNotSecretKeys: the member names whose secret-key test the walk
// leaves out would not pass it, so leaving it out changes nothing; a name added in
// the configuration is tested on them too.
func TestMessageMembersAreNotSecretKeys(t *testing.T) {
	for _, name := range []string{"role", "parts", "type", "content", "finish_reason", "name", "id", "arguments",
		"response", "result", "mime_type", "modality", "uri", "file_id", "text", "tool_call_id"} {
		if !messageMember(name) {
			t.Errorf("%s is not a message member", name)
		}
		if pii.IsSecretKey(name, nil) {
			t.Errorf("%s is a message member but names a secret", name)
		}
	}
	if messageMember("api_key") || messageMember("Content") {
		t.Error("api_key or Content taken for a message member")
	}
	cfg := DefaultConfig()
	cfg.SecretKeys = []string{"content"}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out, _, _, _ := r.Text(`[{"role":"user","parts":[{"type":"text","content":"hello there"}]}]`)
	if strings.Contains(out, "hello there") {
		t.Errorf("content kept although secret_keys names it: %s", out)
	}
}
