package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// defaultAlertAPI is the llmalert exporter's default API address.
const defaultAlertAPI = "http://localhost:8989"

func init() {
	register(command{
		name:    "alerts",
		summary: "list alerts of the llmalert exporter; alerts ack ID; alerts resolve ID",
		run:     runAlerts,
	})
	register(command{
		name:    "silence",
		summary: "silence alerts: silence add MATCHER... | silence list | silence expire ID",
		run:     runSilence,
	})
}

// alertClient talks to the llmalert exporter API.
type alertClient struct {
	base string
	http *http.Client
}

func newAlertFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := os.Getenv("LLMALERT_API")
	if def == "" {
		def = defaultAlertAPI
	}
	endpoint := fs.String("api", def, "llmalert API address (env LLMALERT_API)")
	return fs, endpoint
}

func (c *alertClient) do(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, strings.TrimSuffix(c.base, "/")+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the llmalert API at %s (set --api or LLMALERT_API): %w", c.base, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if resp.StatusCode/100 != 2 {
		var e struct{ Error string }
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return errors.New(e.Error)
		}
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type cliAlert struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	State       string            `json:"state"`
	Value       float64           `json:"value"`
	ActiveAt    time.Time         `json:"activeAt"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Ack         *struct {
		By string `json:"by"`
	} `json:"ack"`
	Silenced  bool `json:"silenced"`
	Inhibited bool `json:"inhibited"`
}

func runAlerts(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs, endpoint := newAlertFlags("alerts", stderr)
	jsonOut := fs.Bool("json", false, "print JSON")
	by := fs.String("by", os.Getenv("USER"), "who acknowledges (ack)")
	comment := fs.String("comment", "", "acknowledgement comment (ack)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	c := &alertClient{base: *endpoint, http: &http.Client{Timeout: 10 * time.Second}}
	rest := fs.Args()
	if len(rest) > 0 {
		if len(rest) != 2 || (rest[0] != "ack" && rest[0] != "resolve") {
			fmt.Fprintln(stderr, "usage: llmctl alerts [--api URL] [--json] | alerts ack ID [--by NAME] | alerts resolve ID")
			return 2
		}
		var err error
		if rest[0] == "ack" {
			err = c.do(http.MethodPost, "/api/v1/alerts/"+rest[1]+"/ack", map[string]string{"by": *by, "comment": *comment}, nil)
		} else {
			err = c.do(http.MethodPost, "/api/v1/alerts/"+rest[1]+"/resolve", nil, nil)
		}
		if err != nil {
			fmt.Fprintln(stderr, "llmctl:", err)
			return 1
		}
		fmt.Fprintln(stdout, rest[1], map[string]string{"ack": "acknowledged", "resolve": "resolved"}[rest[0]])
		return 0
	}
	var alerts []cliAlert
	if err := c.do(http.MethodGet, "/api/v1/alerts", nil, &alerts); err != nil {
		fmt.Fprintln(stderr, "llmctl:", err)
		return 1
	}
	if *jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(alerts)
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tALERT\tSTATE\tSEVERITY\tVALUE\tSINCE\tLABELS\tNOTE")
	for _, a := range alerts {
		var note []string
		if a.Ack != nil {
			note = append(note, "acked by "+a.Ack.By)
		}
		if a.Silenced {
			note = append(note, "silenced")
		}
		if a.Inhibited {
			note = append(note, "inhibited")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.4g\t%s\t%s\t%s\n", a.ID, a.Name, a.State, a.Labels["severity"], a.Value,
			a.ActiveAt.UTC().Format(time.RFC3339), otherLabels(a.Labels), strings.Join(note, ", "))
	}
	_ = tw.Flush()
	return 0
}

func otherLabels(m map[string]string) string {
	var parts []string
	for k, v := range m {
		if k != "alertname" && k != "severity" {
			parts = append(parts, k+"="+v)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

type cliMatcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual bool   `json:"isEqual"`
}

// parseCLIMatcher accepts name=value, name!=value, name=~re, name!~re.
func parseCLIMatcher(s string) (cliMatcher, error) {
	for _, op := range []string{"!=", "=~", "!~", "="} {
		if i := strings.Index(s, op); i > 0 {
			v := strings.Trim(s[i+len(op):], `"`)
			return cliMatcher{Name: s[:i], Value: v, IsRegex: op == "=~" || op == "!~", IsEqual: op == "=" || op == "=~"}, nil
		}
	}
	return cliMatcher{}, fmt.Errorf("matcher %q: want name=value, name!=value, name=~regex or name!~regex", s)
}

func runSilence(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs, endpoint := newAlertFlags("silence", stderr)
	duration := fs.Duration("duration", time.Hour, "how long the silence lasts (add)")
	author := fs.String("author", os.Getenv("USER"), "who silences (add)")
	comment := fs.String("comment", "", "why (add; required)")
	usage := "usage: llmctl silence add [--duration 1h] --comment WHY MATCHER... | silence list | silence expire ID"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	sub := args[0]
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	c := &alertClient{base: *endpoint, http: &http.Client{Timeout: 10 * time.Second}}
	switch sub {
	case "add":
		if fs.NArg() == 0 {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		var ms []cliMatcher
		for _, a := range fs.Args() {
			m, err := parseCLIMatcher(a)
			if err != nil {
				fmt.Fprintln(stderr, "llmctl:", err)
				return 2
			}
			ms = append(ms, m)
		}
		body := map[string]any{"matchers": ms, "startsAt": time.Now().UTC(), "endsAt": time.Now().Add(*duration).UTC(),
			"createdBy": *author, "comment": *comment}
		var out struct {
			SilenceID string `json:"silenceID"`
		}
		if err := c.do(http.MethodPost, "/api/v1/silences", body, &out); err != nil {
			fmt.Fprintln(stderr, "llmctl:", err)
			return 1
		}
		fmt.Fprintln(stdout, out.SilenceID)
	case "list":
		var ss []struct {
			ID        string       `json:"id"`
			Matchers  []cliMatcher `json:"matchers"`
			EndsAt    time.Time    `json:"endsAt"`
			CreatedBy string       `json:"createdBy"`
			Comment   string       `json:"comment"`
			Status    struct{ State string }
		}
		if err := c.do(http.MethodGet, "/api/v1/silences", nil, &ss); err != nil {
			fmt.Fprintln(stderr, "llmctl:", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tSTATE\tENDS\tBY\tMATCHERS\tCOMMENT")
		for _, s := range ss {
			var parts []string
			for _, m := range s.Matchers {
				op := map[[2]bool]string{{false, true}: "=", {false, false}: "!=", {true, true}: "=~", {true, false}: "!~"}[[2]bool{m.IsRegex, m.IsEqual}]
				parts = append(parts, m.Name+op+m.Value)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Status.State, s.EndsAt.UTC().Format(time.RFC3339), s.CreatedBy, strings.Join(parts, ","), s.Comment)
		}
		_ = tw.Flush()
	case "expire":
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		if err := c.do(http.MethodDelete, "/api/v1/silences/"+fs.Arg(0), nil, nil); err != nil {
			fmt.Fprintln(stderr, "llmctl:", err)
			return 1
		}
		fmt.Fprintln(stdout, fs.Arg(0), "expired")
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	return 0
}
