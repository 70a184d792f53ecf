package storeapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/store"
	"github.com/otelcol-llm/otelcol-llm/internal/store/storegen"
)

// FuzzQuery: any query string on any endpoint is answered 200 or 400 (or 404 for an
// unknown id), never 500 and never a panic.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{"", "window=1h", "window=7d&step=1h", "from=0&to=1", "from=2026-03-01T12:00:00Z&window=1h",
		"limit=-1", "q=%25_%5C", "min_duration=1e9h", "status=ok&errors=true", "step=1ns", "severity=error&errors=1",
		"window=9999999999d", "to=-9223372036854775808", "window=30d", "window=3h&step=1m", "window=2d&step=7m",
		"from=-86400000&to=86400000", "score_below=0.5", "score_below=NaN"} {
		f.Add("traces", q)
		f.Add("overview", q)
	}
	s, err := store.Open(context.Background(), store.Options{Path: filepath.Join(f.TempDir(), "fuzz.db")})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	if err := s.WriteTraces(context.Background(), storegen.Fixture(base)); err != nil {
		f.Fatal(err)
	}
	judge, feedback := storegen.FixtureLateEvaluations(base)
	if err := s.WriteTraces(context.Background(), judge); err != nil {
		f.Fatal(err)
	}
	if err := s.WriteLogs(context.Background(), feedback); err != nil {
		f.Fatal(err)
	}
	mux := http.NewServeMux()
	Register(mux, s, Options{Now: func() time.Time { return base.Add(10 * time.Minute) }})
	f.Fuzz(func(t *testing.T, endpoint, query string) {
		req, err := http.NewRequest(http.MethodGet, "/", nil)
		if err != nil {
			t.Skip()
		}
		req.URL.Path = "/api/v1/" + endpoint
		req.URL.RawQuery = query
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s?%s: %d %s", endpoint, query, rec.Code, rec.Body)
		}
	})
}
