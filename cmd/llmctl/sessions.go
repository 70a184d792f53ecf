package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

func init() {
	register(command{name: "sessions", summary: "list sessions (conversations) with their calls, tokens and cost", run: runSessions})
	register(command{name: "session", summary: "session ID: the conversation in order, with tool calls", run: runSession})
}

func runSessions(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newStoreFlags("sessions", stderr)
	window := f.fs.String("window", "24h", "time window ending now, e.g. 1h, 7d")
	user := f.fs.String("user", "", "only sessions of this user.id")
	limit := f.fs.Int("limit", 50, "at most this many sessions")
	if !f.parse(args, stderr) {
		return 2
	}
	var list struct{ Sessions []store.SessionSummary }
	raw, err := f.client().get("sessions", query("window", *window, "user", *user, "limit", strconv.Itoa(*limit)), &list)
	if err != nil {
		return fail(stderr, err)
	}
	if f.json() {
		printJSON(stdout, raw)
		return 0
	}
	if len(list.Sessions) == 0 {
		fmt.Fprintf(stdout, "no sessions in the last %s (spans need %s)\n", *window, genai.ConversationID)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SESSION\tUSER\tLAST ACTIVITY\tTRACES\tCALLS\tERRORS\tTOKENS\tCOST")
	for _, s := range list.Sessions {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", s.ID, s.User, clock(s.End), s.Traces, s.LLMCalls, s.Errors,
			count(s.InputTokens+s.OutputTokens), dollars(s.Cost))
	}
	_ = tw.Flush()
	return 0
}

func runSession(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newStoreFlags("session", stderr)
	if !f.parse(args, stderr) {
		return 2
	}
	if f.fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: llmctl session [--endpoint URL] [--output json] SESSION_ID")
		return 2
	}
	var d store.SessionDetail
	raw, err := f.client().get("sessions/"+url.PathEscape(f.fs.Arg(0)), nil, &d)
	if err != nil {
		return fail(stderr, err)
	}
	if f.json() {
		printJSON(stdout, raw)
		return 0
	}
	fmt.Fprintf(stdout, "session %s  user %s  %d traces  %d model calls  %d errors  %s tokens  %s\n",
		d.ID, d.User, d.Traces, d.LLMCalls, d.Errors, count(d.InputTokens+d.OutputTokens), dollars(d.Cost))
	if d.ContentDropped > 0 {
		fmt.Fprintf(stdout, "(%d model calls have no stored content: not captured, or past content retention)\n", d.ContentDropped)
	}
	trace := ""
	for _, t := range d.Transcript {
		if t.TraceID != trace {
			fmt.Fprintf(stdout, "\n── %s  trace %s\n", clock(t.Time), t.TraceID)
			trace = t.TraceID
		}
		switch {
		case t.Tool != nil:
			fmt.Fprintf(stdout, "[tool run] %s (%s)%s\n  arguments: %s\n  result: %s\n", t.Tool.Name, ms(t.Tool.DurationMs),
				errSuffix(t.Tool.Error), compactJSON(t.Tool.Arguments), compactJSON(t.Tool.Result))
		case t.Message != nil:
			printMessage(stdout, *t.Message)
			if c := t.Call; c != nil {
				fmt.Fprintf(stdout, "  (%s, %s, %s→%s tokens%s%s)\n", c.Model, ms(c.DurationMs), countPtr(c.InputTokens),
					countPtr(c.OutputTokens), costSuffix(c.Cost), errSuffix(c.Error))
			}
		}
	}
	return 0
}

func printMessage(w io.Writer, m genai.Message) {
	if len(m.Parts) == 0 {
		fmt.Fprintf(w, "[%s] (no content)\n", m.Role)
		return
	}
	for _, p := range m.Parts {
		switch p.Type {
		case genai.PartText, genai.PartReasoning:
			fmt.Fprintf(w, "[%s] %s\n", m.Role, indent(p.Content))
		case genai.PartToolCall:
			fmt.Fprintf(w, "[%s] calls %s %s\n", m.Role, p.Name, compactJSON(p.Arguments))
		case genai.PartToolCallResponse:
			fmt.Fprintf(w, "[%s] tool result %s\n", m.Role, compactJSON(p.Response))
		default:
			fmt.Fprintf(w, "[%s] (%s part)\n", m.Role, p.Type)
		}
	}
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }

func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "-"
	}
	return string(raw)
}

func errSuffix(e string) string {
	if e == "" {
		return ""
	}
	return ", ERROR " + e
}

func costSuffix(c *float64) string {
	if c == nil {
		return ""
	}
	return ", " + dollars(*c)
}
