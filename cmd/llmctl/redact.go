package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/otelcol-llm/otelcol-llm/internal/redact"
)

func init() {
	register(command{
		name:    "redact",
		summary: "redact text or a JSON message list from stdin with the collector's engine ([--config FILE] [--json])",
		run:     runRedact,
	})
}

const redactUsage = `usage: llmctl redact [flags] < input

Reads text, or JSON such as a gen_ai.input.messages list, from stdin and prints it as
the llm processor would export it, then the findings: type, JSON path of the string
and byte offsets in it, never the values. With --config the redaction section of the
collector's llm processor applies (processors: llm[/name]: redaction:); without it the
defaults do. Exit status 1 when something was found.

flags:
`

// redactResult is the --json output.
type redactResult struct {
	Output   string          `json:"output"`
	Dropped  bool            `json:"dropped"`
	Findings []redact.Found  `json:"findings"`
	Counts   map[string]int  `json:"counts"`
	Stats    redactStatsView `json:"stats"`
}

type redactStatsView struct {
	FailedClosed  int `json:"failed_closed"`
	Unprocessed   int `json:"unprocessed"`
	MalformedJSON int `json:"malformed_json"`
}

func runRedact(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("redact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, redactUsage)
		fs.PrintDefaults()
	}
	configPath := fs.String("config", "", "collector config file: use the redaction section of its llm processor")
	processorID := fs.String("processor", "", "which llm processor of --config (e.g. llm/prod) when it has several")
	asJSON := fs.Bool("json", false, "print one JSON object: output, dropped, findings, counts, stats")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	cfg := redact.DefaultConfig()
	if *configPath != "" {
		if _, err := unmarshalStage(*configPath, *processorID, "redaction", &cfg); err != nil {
			fmt.Fprintf(stderr, "llmctl redact: %v\n", err)
			return 2
		}
	}
	r, err := redact.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "llmctl redact: redaction: %v\n", err)
		return 2
	}
	in, err := io.ReadAll(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "llmctl redact: reading stdin: %v\n", err)
		return 2
	}
	text := strings.TrimSuffix(string(in), "\n")
	out, found, dropped, st := r.Text(text)
	counts := map[string]int{}
	for e, n := range st.Findings {
		counts[string(e)] = n
	}
	if *asJSON {
		if found == nil {
			found = []redact.Found{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		_ = enc.Encode(redactResult{Output: out, Dropped: dropped, Findings: found, Counts: counts,
			Stats: redactStatsView{FailedClosed: st.FailedClosed, Unprocessed: st.Unprocessed, MalformedJSON: st.MalformedJSON}})
	} else {
		fmt.Fprintln(stdout, out)
		printFindings(stdout, found, counts, dropped)
	}
	if st.TotalFindings() > 0 {
		return 1
	}
	return 0
}

func printFindings(w io.Writer, found []redact.Found, counts map[string]int, dropped bool) {
	if len(counts) == 0 {
		fmt.Fprintln(w, "\nno findings")
		return
	}
	fmt.Fprintln(w, "\nfindings:")
	for _, f := range found {
		where := f.Path
		if where == "" {
			where = "text"
		}
		fmt.Fprintf(w, "  %-18s %s [%d:%d]\n", f.Entity, where, f.Start, f.End)
	}
	types := make([]string, 0, len(counts))
	for e := range counts {
		types = append(types, e)
	}
	sort.Strings(types)
	parts := make([]string, len(types))
	for i, e := range types {
		parts[i] = fmt.Sprintf("%s=%d", e, counts[e])
	}
	fmt.Fprintf(w, "counts: %s\n", strings.Join(parts, " "))
	if dropped {
		fmt.Fprintln(w, "action drop: the collector would remove the attribute holding this value")
	}
}
