package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// envRef matches ${env:NAME} and ${NAME} references in a collector config.
var envRef = regexp.MustCompile(`\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}`)

// TestExamplesStart loads every ready-made config in examples/ with the built distribution
// and checks that the collector starts with it: what users copy must work. Environment
// variables an example references are set to placeholder values (32+ characters, so that
// keys with a minimum length are accepted).
func TestExamplesStart(t *testing.T) {
	configs, err := filepath.Glob("../examples/*/config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../examples/*/*-config.yaml")
	configs = append(configs, more...)
	if len(configs) == 0 {
		t.Fatal("no example configs found")
	}
	for _, path := range configs {
		name := strings.TrimPrefix(path, "../examples/")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range envRef.FindAllStringSubmatch(string(raw), -1) {
				t.Setenv(m[1], "example-placeholder-0123456789abcdef0123456789abcdef")
			}
			// Examples may point at files next to them (rules, prices): run in a copy of
			// the example's folder, so that what the collector writes stays out of the tree.
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(filepath.Dir(path))); err != nil {
				t.Fatal(err)
			}
			c := StartCollectorIn(t, dir, string(raw))
			Eventually(t, 30*time.Second, "the collector to report it is ready", func() bool {
				return strings.Contains(c.Output(), "Everything is ready")
			})
			if strings.Contains(c.Output(), `"level":"error"`) || strings.Contains(c.Output(), "\terror\t") {
				t.Errorf("the collector logged errors while starting:\n%s", c.Output())
			}
		})
	}
}
