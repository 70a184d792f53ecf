package chatcorpus

import (
	"strings"
	"testing"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// TestConversationsResendHistory: each call of a conversation sends the previous call's
// messages and answer unchanged, then one new user turn; calls come turn by turn across
// conversations; exactly the user turns meant to carry PII hold something the detectors
// find, once stamped.
func TestConversationsResendHistory(t *testing.T) {
	const n = 600
	calls := Conversations(7, Shape{Calls: n, MinTurns: 5, MaxTurns: 10, PIIShare: 0.2})
	if len(calls) != n {
		t.Fatalf("%d calls, want %d", len(calls), n)
	}
	scanner := pii.NewScanner(nil, nil)
	stamp := func(s string, pass uint32) string { return string(NewTemplate([]byte(s)).Stamp(nil, pass)) }
	prev := map[int][]genai.Message{} // conversation -> last input + answer
	turnOf := map[int]int{}
	lastTurn, newPII := 0, 0
	for i, c := range calls {
		in, err := genai.ParseMessages(stamp(c.Input, 3))
		if err != nil {
			t.Fatalf("call %d input: %v", i, err)
		}
		out, err := genai.ParseMessages(stamp(c.Output, 3))
		if err != nil || len(out) != 1 || out[0].Role != "assistant" {
			t.Fatalf("call %d output: %v %v", i, err, out)
		}
		if in[0].Role != "system" || in[0].Parts[0].Content != SystemPrompts[c.Assistant] {
			t.Fatalf("call %d does not start with its system prompt", i)
		}
		history := prev[c.Conversation]
		if len(history) > 0 && !sameMessages(in[:len(in)-1], history) {
			t.Fatalf("call %d (conversation %d turn %d) does not resend the history unchanged", i, c.Conversation, turnOf[c.Conversation])
		}
		if turnOf[c.Conversation] < lastTurn {
			t.Fatalf("call %d is turn %d after a turn %d", i, turnOf[c.Conversation], lastTurn)
		}
		lastTurn = turnOf[c.Conversation]
		turnOf[c.Conversation]++
		user := in[len(in)-1]
		if user.Role != "user" || !strings.HasSuffix(user.Parts[0].Content, "(ref 00000003)") {
			t.Fatalf("call %d: last message %+v", i, user)
		}
		if found := scanner.Scan(user.Parts[0].Content, nil); (len(found) > 0) != c.NewPII {
			t.Errorf("call %d: findings %v in the new turn, NewPII %v", i, found, c.NewPII)
		}
		if found := scanner.Scan(out[0].Parts[0].Content, nil); len(found) > 0 {
			t.Errorf("call %d: findings %v in the answer", i, found)
		}
		if c.NewPII {
			newPII++
		}
		in[0].FinishReason, out[0].FinishReason = "", ""
		prev[c.Conversation] = append(in, out[0])
	}
	if len(turnOf) < n/10 || len(turnOf) > n/5 {
		t.Errorf("%d conversations for %d calls of 5 to 10 turns", len(turnOf), n)
	}
	if share := float64(newPII) / n; share < 0.15 || share > 0.25 {
		t.Errorf("%.2f of the user turns carry PII, want about 0.2", share)
	}
}

func sameMessages(a, b []genai.Message) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Role != b[i].Role || len(a[i].Parts) != 1 || len(b[i].Parts) != 1 || a[i].Parts[0].Content != b[i].Parts[0].Content {
			return false
		}
	}
	return true
}

func TestStampRewritesOnlyRefs(t *testing.T) {
	tpl := NewTemplate([]byte("a " + Ref + " b " + Ref))
	for _, tc := range []struct {
		pass uint32
		want string
	}{{0, "a 00000000 b 00000000"}, {0x2a, "a 0000002a b 0000002a"}, {0xdeadbeef, "a deadbeef b deadbeef"}} {
		if got := string(tpl.Stamp([]byte("x"), tc.pass)); got != "x"+tc.want {
			t.Errorf("pass %#x: %q, want %q", tc.pass, got, "x"+tc.want)
		}
	}
	if got := string(tpl.Stamp(nil, 1)); strings.Contains(string(tpl.b), "0") || got == string(tpl.b) {
		t.Errorf("the template changed or was not stamped: %q", got)
	}
}

// TestUniqueShareNothing: one-turn conversations with their own system prompts repeat
// no message text within a pass (nor across passes, which stamp other Refs).
func TestUniqueShareNothing(t *testing.T) {
	seen := map[string]bool{}
	for i, c := range Conversations(3, Shape{Calls: 300, MinTurns: 1, MaxTurns: 1, PIIShare: 0.2, UniqueSystemPrompts: true}) {
		for _, s := range []string{c.Input, c.Output} {
			msgs, err := genai.ParseMessages(string(NewTemplate([]byte(s)).Stamp(nil, 5)))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if text := m.Parts[0].Content; seen[text] {
					t.Fatalf("call %d repeats %q", i, text)
				} else {
					seen[text] = true
				}
			}
		}
	}
}
