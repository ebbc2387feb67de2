package testutil

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// recordViolations runs in every document before the page's own script and
// collects Content-Security-Policy violations. Scripts added through the
// DevTools protocol are not subject to the page's policy.
const recordViolations = `window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " blocked " + e.blockedURI);
});`

// PageProblems collects console errors and uncaught exceptions while a
// browser test runs.
type PageProblems struct {
	mu       sync.Mutex
	messages []string
}

func (p *PageProblems) add(message string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.messages = append(p.messages, message)
}

// Check fails the test for every collected problem and every
// Content-Security-Policy violation of the current page.
func (p *PageProblems) Check(t *testing.T, browser context.Context) {
	t.Helper()
	violations, err := chromedp.Run(browser, chromedp.Evaluate[[]string](`window.__violations || []`))
	if err != nil {
		t.Errorf("read CSP violations: %v", err)
	}
	for _, v := range violations {
		t.Errorf("Content-Security-Policy violation: %s", v)
	}

	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.messages {
		t.Errorf("browser reported %s", m)
	}
}

// StartBrowser starts headless Chromium (skipping or failing the test as
// ChromiumPath does when it is missing) with the flags that keep it off the
// network, and returns a tab context whose console errors are collected.
func StartBrowser(t *testing.T, ctx context.Context) (context.Context, *PageProblems) {
	t.Helper()
	chromium := ChromiumPath(t)
	options := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
	allocator, cancelAllocator := chromedp.NewExecAllocator(ctx, options...)
	t.Cleanup(cancelAllocator)
	browser, cancelBrowser := chromedp.NewContext(allocator)
	t.Cleanup(cancelBrowser)

	_, err := chromedp.Call(browser, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations})
	if err != nil {
		t.Fatalf("start Chromium %s: %v", chromium, err)
	}

	problems := &PageProblems{}
	messages := chromedp.Console(browser)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" {
				problems.add(fmt.Sprintf("%s (source %q, %s)", m, m.Source, m.URL))
			}
		}
	}()
	return browser, problems
}
