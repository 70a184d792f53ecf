package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
	"github.com/otelcol-llm/otelcol-llm/internal/pricing"
)

func init() {
	register(command{
		name:    "price",
		summary: "look a model up in the price catalog and price a usage (price MODEL [--provider P] [--input N ...])",
		run:     runPrice,
	})
}

const priceUsage = `usage: llmctl price MODEL [flags]

Shows the catalog entry that prices MODEL (as spans name it: dated snapshots, provider
prefixes, Bedrock and Vertex ids and configured aliases are matched) and the cost of the
given token counts. Counts follow the GenAI conventions: --input includes cached tokens,
--output includes reasoning tokens.

flags:
`

// runPrice prints the entry and the cost; exit status 1 when the model is unpriced.
func runPrice(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("price", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, priceUsage)
		fs.PrintDefaults()
	}
	provider := fs.String("provider", "", "gen_ai.provider.name of the host (openai, aws.bedrock, gcp.vertex_ai, azure.ai.openai, ...)")
	configPath := fs.String("config", "", "collector config file: use the pricing section of its llm processor")
	processorID := fs.String("processor", "", "which llm processor of --config (e.g. llm/prod) when it has several")
	var u genai.Usage
	counts := []struct {
		name  string
		n     *int64
		has   *bool
		usage string
	}{
		{"input", &u.Input, &u.HasInput, "input tokens, cached ones included"},
		{"output", &u.Output, &u.HasOutput, "output tokens, reasoning included"},
		{"cache-read", &u.CacheRead, &u.HasCacheRead, "input tokens read from the prompt cache"},
		{"cache-write", &u.CacheWrite, &u.HasCacheWrite, "input tokens written to the prompt cache"},
		{"reasoning", &u.Reasoning, &u.HasReasoning, "reasoning tokens"},
	}
	for _, c := range counts {
		fs.Func(c.name, c.usage, func(s string) error {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return errors.New("want a token count >= 0")
			}
			*c.n, *c.has = n, true
			return nil
		})
	}
	// The model may come before or after the flags.
	var model string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		model, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if model == "" && fs.NArg() > 0 {
		model = fs.Arg(0)
	}
	if model == "" || fs.NArg() > 1 {
		fs.Usage()
		return 2
	}

	cfg := pricing.DefaultConfig()
	if *configPath != "" {
		var err error
		if cfg, err = pricingFromCollectorConfig(*configPath, *processorID); err != nil {
			fmt.Fprintf(stderr, "llmctl price: %v\n", err)
			return 1
		}
	}
	p, err := pricing.New(cfg, nil)
	if err != nil {
		fmt.Fprintf(stderr, "llmctl price: %v\n", err)
		return 1
	}
	e, ok := p.Lookup(*provider, model)
	if !ok {
		fmt.Fprintf(stdout, "%s on %s: unpriced (no catalog entry; the processor marks such calls %s=true)\n",
			model, orUnknown(*provider), genai.Unpriced)
		return 1
	}
	printEntry(stdout, model, *provider, e)
	if u.Any() {
		printCost(stdout, u, e.Compute(u))
	}
	return 0
}

func orUnknown(provider string) string {
	if provider == "" {
		return "an unknown provider"
	}
	return provider
}

func printEntry(w io.Writer, model, provider string, e *pricing.Entry) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	host := e.Provider
	if host == "" {
		host = "any provider"
	}
	if e.Endpoint != "" {
		host += ", " + e.Endpoint + " endpoints"
	}
	fmt.Fprintf(tw, "model:\t%s\n", model)
	if provider != "" {
		fmt.Fprintf(tw, "provider:\t%s\n", provider)
	}
	fmt.Fprintf(tw, "entry:\t%s (%s)\n", e.ID, host)
	fmt.Fprintf(tw, "catalog:\t%s\n", e.Catalog)
	fmt.Fprintf(tw, "source:\t%s\n", e.Source)
	tw.Flush()

	fmt.Fprintln(w, "\nprices (USD per million tokens):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tinput\toutput\tcache read\tcache write\treasoning")
	row := func(label string, p pricing.Prices) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", label, usd(p.Input), usd(p.Output),
			inherited(p.CacheRead, e.Inherited.CacheReadAsInput, "input"),
			inherited(p.CacheWrite, e.Inherited.CacheWriteAsInput, "input"),
			inherited(p.Reasoning, e.Inherited.ReasoningAsOutput, "output"))
	}
	row("base", e.Prices)
	for _, t := range e.Tiers {
		row(fmt.Sprintf("input > %d", t.AboveInputTokens), t.Prices)
	}
	for _, w := range e.Windows {
		when := fmt.Sprintf("%s-%s UTC", timeOfDay(w.From), timeOfDay(w.To))
		row(when, w.Prices)
		for _, t := range w.Tiers {
			row(fmt.Sprintf("%s, input > %d", when, t.AboveInputTokens), t.Prices)
		}
	}
	tw.Flush()
}

// timeOfDay formats a duration since midnight as 15:04.
func timeOfDay(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}

func inherited(v float64, is bool, as string) string {
	if is {
		return usd(v) + " (as " + as + ")"
	}
	return usd(v)
}

func usd(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func printCost(w io.Writer, u genai.Usage, c pricing.Cost) {
	fmt.Fprintf(w, "\ncost (USD) of input=%d output=%d cache-read=%d cache-write=%d reasoning=%d:\n",
		u.Input, u.Output, u.CacheRead, u.CacheWrite, u.Reasoning)
	for _, k := range []struct {
		name string
		v    float64
	}{
		{"input (uncached)", c.Input}, {"cache read", c.CacheRead}, {"cache write", c.CacheWrite},
		{"output (not reasoning)", c.Output}, {"reasoning", c.Reasoning}, {"total", c.Total},
	} {
		fmt.Fprintf(w, "  %-24s %12.6f\n", k.name, k.v)
	}
}

// pricingFromCollectorConfig reads the pricing section of an llm processor from a
// collector config file, as the collector would.
func pricingFromCollectorConfig(path, processorID string) (pricing.Config, error) {
	cfg := pricing.DefaultConfig()
	where, err := unmarshalStage(path, processorID, "pricing", &cfg)
	if err != nil {
		return pricing.Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return pricing.Config{}, fmt.Errorf("%s: %w", where, err)
	}
	return cfg, nil
}
