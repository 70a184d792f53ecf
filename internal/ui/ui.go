// Package ui is the llmstore web UI: static HTML, CSS and vanilla JavaScript embedded in
// the binary, no CDN and no build step. It reads the JSON API under /api/v1/.
package ui

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var files embed.FS

// Handler serves the UI. Unknown paths under / serve index.html, so that links into the
// single-page app (/#/traces/ID) and reloads work.
func Handler() http.Handler {
	static, _ := fs.Sub(files, "static") // the directory is embedded: cannot fail
	fileServer := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if _, err := fs.Stat(static, strings.TrimLeft(r.URL.Path, "/")); r.URL.Path != "/" && err != nil {
			r.URL.Path = "/"
		}
		fileServer.ServeHTTP(w, r)
	})
}
