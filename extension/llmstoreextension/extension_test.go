package llmstoreextension

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configauth"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/extension/extensiontest"
)

func freeEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func startExtension(t *testing.T, path string) (*Extension, string) {
	t.Helper()
	cfg := createDefaultConfig()
	cfg.NetAddr.Endpoint = freeEndpoint(t)
	cfg.Path = path
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(NewFactory().Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := ext.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ext.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return ext.(*Extension), "http://" + cfg.NetAddr.Endpoint
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServesAPIAndUI(t *testing.T) {
	ext, url := startExtension(t, filepath.Join(t.TempDir(), "db", "llm.db"))
	if _, err := ext.Store(); err != nil {
		t.Fatal(err)
	}
	code, body := get(t, url+"/api/v1/status")
	var st struct {
		Retention map[string]string `json:"retention"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &st) != nil || st.Retention["metrics"] != "365d" {
		t.Errorf("status: %d %s", code, body)
	}
	if code, body := get(t, url+"/"); code != 200 || !strings.Contains(body, "<title>") {
		t.Errorf("UI: %d %s", code, body)
	}
	ext.Handle("GET /api/v1/alerts", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, `{"alerts":[]}`) }))
	if code, body := get(t, url+"/api/v1/alerts"); code != 200 || body != `{"alerts":[]}` {
		t.Errorf("mounted handler: %d %s", code, body)
	}
}

// A corrupt file must not stop the collector: the extension starts, reports why, and
// leaves the file for the user to inspect.
func TestCorruptDatabaseKeepsRunning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "llm.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("garbage!", 1024)), 0o600); err != nil {
		t.Fatal(err)
	}
	ext, url := startExtension(t, path)
	if _, err := ext.Store(); err == nil || !strings.Contains(err.Error(), "not a valid llmstore database") {
		t.Errorf("Store() error = %v", err)
	}
	code, body := get(t, url+"/api/v1/overview")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "llmstore unavailable") || !strings.Contains(body, "move it aside") {
		t.Errorf("API: %d %s", code, body)
	}
	if b, _ := os.ReadFile(path); string(b) != strings.Repeat("garbage!", 1024) {
		t.Error("corrupt file was modified")
	}
}

// tokenAuth is a minimal server auth extension: the real interface confighttp calls.
type tokenAuth struct{ token string }

func (a tokenAuth) Start(context.Context, component.Host) error { return nil }
func (a tokenAuth) Shutdown(context.Context) error              { return nil }
func (a tokenAuth) Authenticate(ctx context.Context, headers map[string][]string) (context.Context, error) {
	for _, v := range headers["Authorization"] {
		if v == "Bearer "+a.token {
			return ctx, nil
		}
	}
	return ctx, errors.New("missing or wrong bearer token")
}

type authHost struct {
	component.Host
	ext map[component.ID]component.Component
}

func (h authHost) GetExtensions() map[component.ID]component.Component { return h.ext }

// With auth configured, the API and UI answer 401 without credentials.
func TestAuthProtectsAPIAndUI(t *testing.T) {
	authID := component.MustNewID("tokenauth")
	cfg := createDefaultConfig()
	cfg.NetAddr.Endpoint = freeEndpoint(t)
	cfg.Path = filepath.Join(t.TempDir(), "llm.db")
	cfg.Auth = configoptional.Some(confighttp.AuthConfig{Config: configauth.Config{AuthenticatorID: authID}})
	ext, err := NewFactory().Create(context.Background(), extensiontest.NewNopSettings(NewFactory().Type()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	host := authHost{Host: componenttest.NewNopHost(), ext: map[component.ID]component.Component{authID: tokenAuth{token: "s3cret"}}}
	if err := ext.Start(context.Background(), host); err != nil {
		t.Fatal(err)
	}
	defer ext.Shutdown(context.Background())
	url := "http://" + cfg.NetAddr.Endpoint
	for _, path := range []string{"/api/v1/status", "/"} {
		if code, _ := get(t, url+path); code != http.StatusUnauthorized {
			t.Errorf("%s without a token: %d, want 401", path, code)
		}
		req, _ := http.NewRequest(http.MethodGet, url+path, nil)
		req.Header.Set("Authorization", "Bearer s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s with the token: %d", path, resp.StatusCode)
		}
	}
}
