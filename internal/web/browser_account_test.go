package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/testutil"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// tokenFormLayout is the position of the token form's Expires label and
// select.
type tokenFormLayout struct {
	LabelLeft   float64 `json:"labelLeft"`
	LabelBottom float64 `json:"labelBottom"`
	SelectLeft  float64 `json:"selectLeft"`
	SelectTop   float64 `json:"selectTop"`
}

const measureTokenForm = `(() => {
  const label = document.querySelector("label[for=token-expires]").getBoundingClientRect();
  const select = document.getElementById("token-expires").getBoundingClientRect();
  return {labelLeft: label.left, labelBottom: label.bottom, selectLeft: select.left, selectTop: select.top};
})()`

// TestBrowserAccountToken creates an API token in headless Chromium. At
// desktop and phone widths the Expires label is right above its select.
// The new token has a working Copy button, and a reload of the page
// neither shows the token again nor creates another.
func TestBrowserAccountToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	handler, accounts := seededDashboard(t, ctx)
	server := httptest.NewServer(webtest.AsMember(handler, accounts.Analyst))
	defer server.Close()

	browser, problems := testutil.StartBrowser(t, ctx)
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(browser, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	for _, width := range []int64{1280, 375} {
		step("open the account page", chromedp.EmulateViewport(width, 800),
			chromedp.Navigate(server.URL+"/account"), chromedp.WaitVisible(chromedp.ID("token-expires")))
		layout, err := chromedp.Run(browser, chromedp.Evaluate[tokenFormLayout](measureTokenForm))
		if err != nil {
			t.Fatalf("measure the token form: %v", err)
		}
		if layout.LabelBottom > layout.SelectTop+1 || layout.LabelLeft < layout.SelectLeft-1 || layout.LabelLeft > layout.SelectLeft+1 {
			t.Errorf("at %d px the Expires label is not right above its select: %+v", width, layout)
		}
	}
	step("back to desktop width", chromedp.EmulateViewport(1280, 800))

	before, _ := accounts.Store.ListTokens(ctx, accounts.Analyst.User.ID)
	step("create a token",
		chromedp.SendKeys(chromedp.ID("token-name"), "notebook"),
		chromedp.Click(chromedp.CSS(`[data-testid="create-token"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="new-token"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="copy-token"]`)))
	if location, _ := chromedp.Run(browser, chromedp.Location()); location != server.URL+"/account" {
		t.Errorf("after creating a token the browser is at %s, want %s/account", location, server.URL)
	}
	token, err := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`[data-testid="new-token"]`)))
	if err != nil || len(token) < 10 {
		t.Fatalf("read the new token: %q, %v", token, err)
	}
	step("copy the token", chromedp.Click(chromedp.CSS(`[data-testid="copy-token"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-copy-status]:not(:empty)`)))
	status, _ := chromedp.Run(browser, chromedp.Text(chromedp.CSS(`[data-copy-status]`)))
	if status != "Copied." && !strings.HasPrefix(status, "Not copied") {
		t.Errorf("copy status reads %q", status)
	}
	saveScreenshot(t, browser, "account-token")

	step("reload the page", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("token-expires")))
	tokenShown, err := chromedp.Run(browser, chromedp.Evaluate[bool](`document.querySelector("[data-testid=new-token]") !== null`))
	if err != nil || tokenShown {
		t.Errorf("after a reload the new token is still shown (%v)", err)
	}
	after, _ := accounts.Store.ListTokens(ctx, accounts.Analyst.User.ID)
	if len(after) != len(before)+1 {
		t.Errorf("creating a token and reloading left %d tokens, want %d", len(after), len(before)+1)
	}
	problems.Check(t, browser)
}
