// Package uitest drives the web UI in headless Chromium for tests (chromedp).
package uitest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Browser is one headless Chromium tab. Its methods fail the test on error.
type Browser struct {
	t   testing.TB
	ctx context.Context
}

// New starts headless Chromium with a fresh profile; it stops when the test ends. A
// JavaScript exception in the page fails the test. Without chromium the test is skipped
// locally and fails in CI (CI=true), where .ci/run installs it.
func New(t testing.TB) *Browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed; .ci/run must install it")
		}
		t.Skip("chromium is not installed (apt-get install -y chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			t.Errorf("JavaScript exception: %s", (&chromedp.ExceptionError{ExceptionDetails: e.ExceptionDetails}).Error())
		}
	}); err != nil {
		t.Fatal(err)
	}
	return &Browser{t: t, ctx: ctx}
}

// Do runs actions.
func (b *Browser) Do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// Text waits for sel to be visible and returns its rendered text.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	b.Do(chromedp.WaitVisible(sel))
	s, err := chromedp.Run(b.ctx, chromedp.Text(sel))
	if err != nil {
		b.t.Fatalf("%s: %v", sel, err)
	}
	return s
}

// Evaluate runs a JavaScript expression in the page and returns its value.
func Evaluate[T any](b *Browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// Count is the number of elements matching sel.
func (b *Browser) Count(sel string) int {
	b.t.Helper()
	return Evaluate[int](b, `document.querySelectorAll(`+strconv.Quote(sel)+`).length`)
}

// Screenshot saves the whole page as a PNG in dir.
func (b *Browser) Screenshot(dir, name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100)) // quality 100 makes a PNG
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), png, 0o644)
	}
	if err != nil {
		b.t.Fatal(err)
	}
}
