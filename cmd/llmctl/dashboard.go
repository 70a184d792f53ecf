package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
)

func init() {
	register(command{
		name:    "dashboard",
		summary: "health summary: requests, latency, errors, tokens, cost, active alerts",
		run:     runDashboard,
	})
}

// unhealthyErrorRate is the error rate above which the dashboard calls traffic degraded.
const unhealthyErrorRate = 0.05

func runDashboard(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f := newStoreFlags("dashboard", stderr)
	window := f.fs.String("window", "1h", "time window ending now, e.g. 15m, 24h, 7d")
	alertsAPI := f.fs.String("alerts-api", envOr("LLMALERT_API", defaultAlertAPI), "llmalert API for active alerts (env LLMALERT_API)")
	if !f.parse(args, stderr) {
		return 2
	}
	var o store.Overview
	raw, err := f.client().get("overview", query("window", *window), &o)
	if err != nil {
		return fail(stderr, err)
	}
	alerts, alertErr := activeAlerts(*alertsAPI)
	if f.json() {
		var v map[string]any
		_ = json.Unmarshal(raw, &v)
		if alertErr == nil {
			v["active_alerts"] = alerts
		}
		b, _ := json.Marshal(v)
		printJSON(stdout, b)
		return 0
	}
	status := "healthy"
	switch {
	case o.Requests == 0:
		status = "idle (no model calls)"
	case o.ErrorRate > unhealthyErrorRate:
		status = fmt.Sprintf("degraded (error rate above %.0f%%)", unhealthyErrorRate*100)
	}
	if alertErr == nil && len(alerts) > 0 {
		status = "alerting"
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "otelcol-llm\t%s → %s (%s)\n", clock(o.From), clock(o.To), *window)
	fmt.Fprintf(tw, "status\t%s\n", status)
	fmt.Fprintf(tw, "requests\t%s\n", count(o.Requests))
	fmt.Fprintf(tw, "errors\t%s (%.1f%%)\n", count(o.Errors), o.ErrorRate*100)
	fmt.Fprintf(tw, "latency\tp50 %s  p95 %s  p99 %s\n", ms(o.Latency.P50), ms(o.Latency.P95), ms(o.Latency.P99))
	fmt.Fprintf(tw, "tokens\t%s in, %s out\n", count(o.InputTokens), count(o.OutputTokens))
	fmt.Fprintf(tw, "cost\t%s\n", dollars(o.Cost))
	if o.Evaluations > 0 {
		fmt.Fprintf(tw, "quality\t%s (%s scored calls, %s evaluations)\n", quality(o.Totals), count(o.QualityScores), count(o.Evaluations))
	}
	switch {
	case alertErr != nil:
		fmt.Fprintf(tw, "alerts\tunknown (%v)\n", alertErr)
	case len(alerts) == 0:
		fmt.Fprintf(tw, "alerts\tnone firing\n")
	default:
		fmt.Fprintf(tw, "alerts\t%d firing\n", len(alerts))
		for _, a := range alerts {
			fmt.Fprintf(tw, "\t  %s %s since %s\n", a.Name, a.Labels["severity"], clock(a.ActiveAt))
		}
	}
	_ = tw.Flush()
	if len(o.ByModel) > 0 {
		fmt.Fprintln(stdout, "\ntop models by cost")
		tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "MODEL\tREQUESTS\tERRORS\tP95\tTOKENS\tCOST\tQUALITY\t")
		for _, g := range o.ByModel[:min(5, len(o.ByModel))] {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", g.Key, count(g.Requests), count(g.Errors), ms(g.Latency.P95),
				count(g.InputTokens+g.OutputTokens), dollars(g.Cost), quality(g.Totals))
		}
		_ = tw.Flush()
	}
	return 0
}

// activeAlerts returns the firing alerts of the llmalert exporter.
func activeAlerts(api string) ([]cliAlert, error) {
	c := &alertClient{base: api, http: &http.Client{Timeout: 3 * time.Second}}
	var all []cliAlert
	if err := c.do(http.MethodGet, "/api/v1/alerts", nil, &all); err != nil {
		if strings.Contains(err.Error(), "cannot reach") {
			return nil, fmt.Errorf("llmalert API not reachable at %s", api)
		}
		return nil, err
	}
	var firing []cliAlert
	for _, a := range all {
		if a.State == "firing" {
			firing = append(firing, a)
		}
	}
	return firing, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// quality is the mean combined quality score (0–1), or "-" when no call was scored.
func quality(t store.Totals) string {
	if t.Quality == nil {
		return "-"
	}
	return fmt.Sprintf("%.2f", *t.Quality)
}
