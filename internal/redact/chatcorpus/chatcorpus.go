// Package chatcorpus generates the chat content that the redaction benchmarks measure
// (internal/redact and bench/loadgen): conversations as an application sends them, where
// every call resends the system prompt and the whole history before the new question.
// That repetition is what real traffic looks like and what a cache of clean verdicts
// feeds on, so the benchmarks measure it instead of a corpus of unrelated calls.
//
// Every turn ends with a reference of eight hex digits (Ref) that the benchmark
// rewrites on each pass over the corpus (Template.Stamp): a pass never finds the turns
// of the previous one in a cache, as a live service never sees the same conversation
// twice, while the system prompts (shared by every conversation of an assistant) stay
// as they are.
package chatcorpus

import (
	"bytes"
	"fmt"
	"math/rand/v2"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// SystemPrompts of the three assistants: support, coding and travel.
var SystemPrompts = []string{
	"You are Acme's support assistant. Answer briefly and politely, cite the order status from the tools, never promise refunds above 100 EUR without a ticket, and escalate to a human when the customer is upset. Today is 2024-01-15; the current release is version 3.14.2.",
	"You are a helpful coding assistant for the platform team. Prefer small, reviewed changes; show commands in fenced blocks; never print credentials from the environment. The cluster runs Kubernetes 1.29 and the services are written in Go 1.22 and Python 3.12.",
	"You are the travel desk assistant of Globex. Offer at most three options, state prices in the customer's currency, mention cancellation terms, and hand over to an agent for group bookings of more than 9 people or any medical request.",
}

// Sensitive are the personal data and credentials users paste; one is appended to a
// user turn that carries PII.
var Sensitive = []string{
	" You can reach me at john.doe@example.com or on +44 20 7946 0958 if anything is unclear.",
	" Please charge the card 4111 1111 1111 1111 instead, it expires 04/27.",
	" For the refund, my IBAN is DE89 3704 0044 0532 0130 00, thanks.",
	" My colleague pasted our key AKIAIOSFODNN7EXAMPLE in the last ticket, please delete it.",
	" I am writing from 203.0.113.42 and my SSN is 536-22-1234 if you need it for the verification.",
	" The staging token is sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e, can you check whether it still works?",
}

// Turn templates per assistant; %[1]d is a 9-digit number (order, build, booking), %[2]s
// a date, %[3]d a small amount or count.
var (
	questions = [][]string{
		{
			"Hi, my parcel from order #%[1]d has not arrived yet, it was supposed to come on %[2]s. Can you check where it is and whether I can still change the delivery address to my office?",
			"I returned the blue 42 size shoes from order #%[1]d on %[2]s but the refund of %[3]d EUR is still not on my account. How long does it usually take?",
			"The app crashes when I open the order history on Android 14 (app version 5.2.1) since %[2]s, the day I placed order #%[1]d. I tried reinstalling twice and clearing the cache. Is there a known issue?",
			"Can I combine order #%[1]d with the one I placed today so that both arrive together? The second one has %[3]d items and I would rather not pay shipping twice.",
		},
		{
			"The deployment of checkout-api failed again with exit code 137 after I bumped the memory request to %[3]d0Mi in build %[1]d. What should I look at first?",
			"Could you write the Helm values change for me and explain how to roll it out to staging first? We use Argo CD with auto-sync disabled on production since %[2]s (change request %[1]d).",
			"Our p99 latency doubled after the release of %[2]s (build %[1]d). The only change was the connection pool size going from 10 to %[3]d. Could that be it?",
			"How do I find which pod of the payments deployment restarted %[3]d times last night during batch job %[1]d? kubectl get pods shows them all as Running now.",
		},
		{
			"We are %[3]d people flying from Berlin to Lisbon on %[2]s and back a week later. Budget around 300 EUR each, hand luggage only, company reference %[1]d. What do you suggest?",
			"Can you hold the seats of booking %[1]d for 24 hours while I confirm with the others, and tell me what happens if one of us has to cancel?",
			"I need a hotel near the conference centre in Lisbon from %[2]s for %[3]d nights, with breakfast and a desk in the room. Anything under 150 EUR a night? Please book it on cost centre %[1]d.",
			"Our flight for booking %[1]d was cancelled this morning. Which alternatives do we have on the same day, and do we get compensation for the %[3]d hours of delay?",
		},
	}
	answers = [][]string{
		{
			"Thanks for waiting! I checked order #%[1]d: it left our warehouse on %[2]s and the carrier shows it at the Rotterdam hub (scan at 10:32). The address can still be changed until it leaves the hub, so I have requested delivery to your office; you will get a confirmation e-mail within the hour.",
			"The return of order #%[1]d was registered on %[2]s. Refunds of %[3]d EUR and less are processed within 5 business days after the parcel is received, and your bank may need two more days to show it. If nothing has arrived by next Friday, reply here and I will open a ticket.",
			"Version 5.2.1 has a known issue with very long order histories on Android 14; 5.2.2 fixes it and is rolling out since %[2]s. Until the update arrives, filtering the history to the last 90 days avoids the crash, and your invoices, order #%[1]d included, stay available in the web shop under Account > Orders.",
			"Yes: as long as neither order has been packed, I can merge them. Order #%[1]d is still waiting for one item, so both will leave together on %[2]s and you will only pay shipping once; the %[3]d items of the second order are reserved for you.",
		},
		{
			"Exit code 137 means the container was killed, usually by the OOM killer. Check `kubectl describe pod` for OOMKilled, compare the limit (not the request) with the peak RSS of build %[1]d, and look at the last 200 lines of logs before the restart; a limit of %[3]d00Mi is a reasonable next step.",
			"Here is the change: set `resources.limits.memory` to 768Mi and keep the request at 512Mi in values-staging.yaml, then sync the staging application by hand (change %[1]d) in Argo CD and watch `kubectl top pod -l app=checkout-api` for 30 minutes. If the peak stays under 600Mi, copy the values to production in the next change window (%[2]s).",
			"Very likely: with %[3]d connections per pod the database hits its max_connections under load and requests queue for a free connection. Compare the pool wait time metric of build %[1]d before and after %[2]s; going back to 10, or raising max_connections with the pool, should bring p99 back.",
			"Run `kubectl get pods -l app=payments -o wide` and look at the RESTARTS column, then `kubectl describe pod` on the one with %[3]d restarts: the Last State section shows the reason and the exit code of the previous container of job %[1]d. `kubectl logs --previous` prints its last logs.",
		},
		{
			"Here are three options for %[3]d people on %[2]s (reference %[1]d): TAP direct at 289 EUR per person (free cancellation until 48 h before departure), easyJet at 214 EUR (no refunds, name changes 59 EUR), and Lufthansa via Frankfurt at 331 EUR with one checked bag included.",
			"I have held the seats of booking %[1]d until %[2]s, same time. The fare has no refunds, but names can be changed until 2 hours before departure for 59 EUR per passenger, so a cancelling traveller can be replaced. I will send the payment link as soon as you confirm.",
			"Three hotels fit: Hotel Miradouro at 128 EUR a night (breakfast included, 600 m from the centre), the Lisboa Business Suites at 142 EUR (desk, breakfast 12 EUR) and Casa do Rio at 119 EUR, 1.2 km away. All three allow free cancellation until %[2]s for the %[3]d nights, booked on cost centre %[1]d.",
			"I am sorry about the cancellation of booking %[1]d. The same day there are two alternatives with free seats, at 15:40 via Madrid and at 19:05 direct; I can rebook you at no cost. For a delay of %[3]d hours on this distance EU rules grant 400 EUR per passenger, and I have started the claim.",
		},
	}
)

// Ref is the reference at the end of every turn before it is stamped: eight bytes that
// Template.Stamp replaces by the pass number in hex.
const Ref = "~ref~~~~"

// Call is one model call: the messages it sends and the answer, as
// gen_ai.input.messages and gen_ai.output.messages JSON, with every Ref unstamped.
type Call struct {
	Conversation int
	Assistant    int // index in SystemPrompts
	Input        string
	Output       string
	// NewPII says the new user turn carries PII; PII says the call's content does (the
	// new turn or one resent in the history).
	NewPII, PII bool
}

// Shape says what conversations to generate.
type Shape struct {
	Calls              int     // calls in all
	MinTurns, MaxTurns int     // calls per conversation
	PIIShare           float64 // probability that a user turn carries PII
	// UniqueSystemPrompts makes every conversation's system prompt its own (a session
	// number and a Ref): with one turn per conversation no text then repeats, the worst
	// case of a scan cache.
	UniqueSystemPrompts bool
}

// Conversations returns calls of conversations of the given shape, deterministically
// for a seed, in the order a service handling all of them at once sends them: the
// first call of every conversation, then the second of each, and so on.
func Conversations(seed uint64, shape Shape) []Call {
	r := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	var convs [][]Call
	for total := 0; total < shape.Calls; {
		turns := min(shape.MinTurns+r.IntN(shape.MaxTurns-shape.MinTurns+1), shape.Calls-total)
		convs = append(convs, conversation(r, len(convs), turns, shape))
		total += turns
	}
	out := make([]Call, 0, shape.Calls)
	for turn := 0; len(out) < shape.Calls; turn++ {
		for _, c := range convs {
			if turn < len(c) {
				out = append(out, c[turn])
			}
		}
	}
	return out
}

func conversation(r *rand.Rand, id, turns int, shape Shape) []Call {
	a := r.IntN(len(SystemPrompts))
	system := SystemPrompts[a]
	if shape.UniqueSystemPrompts {
		system += fmt.Sprintf(" (session %d, ref %s)", id, Ref)
	}
	msgs := []genai.Message{text("system", system)}
	calls := make([]Call, 0, turns)
	pii := false
	for t := 0; t < turns; t++ {
		n, date, amount := 100000000+r.IntN(900000000), fmt.Sprintf("2024-%02d-%02d", 1+r.IntN(12), 1+r.IntN(28)), 2+r.IntN(30)
		q := fmt.Sprintf(questions[a][r.IntN(len(questions[a]))], n, date, amount)
		newPII := r.Float64() < shape.PIIShare
		if newPII {
			q += Sensitive[r.IntN(len(Sensitive))]
		}
		pii = pii || newPII
		answer := text("assistant", fmt.Sprintf(answers[a][r.IntN(len(answers[a]))], n, date, amount)+" (ref "+Ref+")")
		msgs = append(msgs, text("user", q+" (ref "+Ref+")"))
		in, err := genai.MarshalMessages(msgs)
		if err != nil {
			panic(err) // text parts always marshal
		}
		answer.FinishReason = genai.FinishStop
		out, err := genai.MarshalMessages([]genai.Message{answer})
		if err != nil {
			panic(err)
		}
		calls = append(calls, Call{Conversation: id, Assistant: a, Input: in, Output: out, NewPII: newPII, PII: pii})
		answer.FinishReason = ""
		msgs = append(msgs, answer)
	}
	return calls
}

func text(role, s string) genai.Message {
	return genai.Message{Role: role, Parts: []genai.Part{genai.TextPart(s)}}
}

// Template is content (a JSON message list, an encoded export request) holding Refs.
type Template struct {
	b    []byte
	refs []int // offsets of the Refs in b
}

// NewTemplate finds the Refs in b, which it keeps.
func NewTemplate(b []byte) Template {
	t := Template{b: b}
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(Ref))
		if j < 0 {
			return t
		}
		t.refs = append(t.refs, i+j)
		i += j + len(Ref)
	}
}

// Stamp appends to dst the template with every Ref replaced by pass in eight hex
// digits: the same turn has the same reference within a pass and a new one in the
// next. The length does not change, so an encoded message stays valid.
func (t Template) Stamp(dst []byte, pass uint32) []byte {
	var ref [len(Ref)]byte
	for i := len(ref) - 1; i >= 0; i-- {
		ref[i] = "0123456789abcdef"[pass&0xf]
		pass >>= 4
	}
	start := len(dst)
	dst = append(dst, t.b...)
	for _, at := range t.refs {
		copy(dst[start+at:], ref[:])
	}
	return dst
}
