package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// defaultStoreAPI is the llmstore extension's default endpoint.
const defaultStoreAPI = "http://localhost:8686"

// storeFlags are the flags every read command has.
type storeFlags struct {
	fs       *flag.FlagSet
	endpoint *string
	output   *string
}

func newStoreFlags(name string, stderr io.Writer) *storeFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := os.Getenv("LLMCTL_ENDPOINT")
	if def == "" {
		def = defaultStoreAPI
	}
	return &storeFlags{
		fs:       fs,
		endpoint: fs.String("endpoint", def, "llmstore API of the collector (env LLMCTL_ENDPOINT)"),
		output:   fs.String("output", "text", "output format: text or json"),
	}
}

// parse parses args and checks the common flags; it returns false after printing why.
func (f *storeFlags) parse(args []string, stderr io.Writer) bool {
	if err := f.fs.Parse(args); err != nil {
		return false
	}
	if *f.output != "text" && *f.output != "json" {
		fmt.Fprintf(stderr, "llmctl %s: --output must be text or json, not %q\n", f.fs.Name(), *f.output)
		return false
	}
	return true
}

func (f *storeFlags) json() bool { return *f.output == "json" }

func (f *storeFlags) client() *storeClient {
	return &storeClient{base: strings.TrimSuffix(*f.endpoint, "/"), http: &http.Client{Timeout: 30 * time.Second}}
}

// storeClient reads the llmstore API.
type storeClient struct {
	base string
	http *http.Client
}

// get fetches path with query into out, and returns the raw body for --output json.
func (c *storeClient) get(path string, query url.Values, out any) (json.RawMessage, error) {
	u := c.base + "/api/v1/" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	resp, err := c.http.Get(u)
	if err != nil {
		return nil, fmt.Errorf("cannot reach the collector's llmstore API at %s: %w\n"+
			"is the collector running with the llmstore extension? set --endpoint or LLMCTL_ENDPOINT to its address", c.base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		if json.Unmarshal(body, &e) == nil && e.Error != "" {
			return nil, errors.New(e.Error)
		}
		return nil, fmt.Errorf("%s answered %s: is this the llmstore API?", u, resp.Status)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return nil, fmt.Errorf("%s did not answer llmstore JSON: %w", u, err)
	}
	return body, nil
}

// query builds query parameters, skipping empty values.
func query(kv ...string) url.Values {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			q.Set(kv[i], kv[i+1])
		}
	}
	return q
}

// printJSON writes the API's answer indented.
func printJSON(w io.Writer, raw json.RawMessage) {
	var v any
	if json.Unmarshal(raw, &v) == nil {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(v)
	}
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "llmctl:", err)
	return 1
}

// Formatting shared by the read commands.

func ms(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.2fs", v/1000)
	case v >= 10:
		return fmt.Sprintf("%.0fms", v)
	}
	return fmt.Sprintf("%.1fms", v)
}

func dollars(v float64) string {
	if v != 0 && v < 0.01 {
		return fmt.Sprintf("$%.5f", v)
	}
	return fmt.Sprintf("$%.2f", v)
}

func count(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func clock(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") }
