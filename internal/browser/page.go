package browser

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/fetch"
)

// pollInterval is how often a loading page is checked for readiness.
const pollInterval = 50 * time.Millisecond

// pageStateScript reports whether the document has finished loading and
// whether it is a bot challenge. window.__RP_CHALLENGE__ marks the replay
// server's challenge page and window.gokuProps the AWS WAF challenge page,
// which IMDb serves. A page counts as loaded when it has IMDb's Next.js
// data or any body content, because a challenge sent with HTTP 202 shows
// an empty body.
const pageStateScript = `(() => {
  const body = document.body;
  const empty = body === null || body.innerHTML.trim() === "";
  return {
    challenge: typeof window.__RP_CHALLENGE__ !== "undefined" || typeof window.gokuProps !== "undefined",
    complete: document.readyState === "complete",
    loaded: document.getElementById("__NEXT_DATA__") !== null || !empty,
    origin: location.origin,
  };
})()`

// pageHTMLScript serializes the document as the server would have sent it.
// Scripts may have changed the DOM by then, but the JSON script elements
// that the parsers read keep their text.
const pageHTMLScript = `(() => ({
  url: location.href,
  html: (document.doctype ? "<!DOCTYPE " + document.doctype.name + ">" : "") + document.documentElement.outerHTML,
}))()`

type pageState struct {
	Challenge bool   `json:"challenge"`
	Complete  bool   `json:"complete"` // document.readyState is "complete"
	Loaded    bool   `json:"loaded"`   // the document has page data or body content
	Origin    string `json:"origin"`
}

// ready reports whether the document has finished loading a page.
func (s pageState) ready() bool {
	return s.Complete && s.Loaded
}

type pageHTML struct {
	URL  string `json:"url"`
	HTML string `json:"html"`
}

// document is the main document of a tab: the status and header of its
// HTTP response, and its URL and HTML once it has loaded.
type document struct {
	status int
	header http.Header
	url    string
	html   []byte
}

func (b *Browser) get(ctx context.Context, req *http.Request) (*fetch.Response, error) {
	target := req.URL.String()
	var resp *fetch.Response
	err := b.withTab(ctx, origin(req.URL), func(tabCtx context.Context) error {
		doc, err := load(tabCtx, target)
		if err != nil {
			return err
		}
		if err := classify(target, doc.status, doc.header, doc.html); err != nil {
			return err
		}
		resp = &fetch.Response{Status: doc.status, Header: doc.header, Body: doc.html, URL: doc.url}
		return nil
	})
	if err != nil {
		return nil, requestError(ctx, target, err)
	}
	return resp, nil
}

// load navigates the tab to target and waits until the page has loaded and
// is no longer a challenge. A page that is still a challenge when tabCtx
// ends gives a *fetch.Error of kind Challenged.
func load(tabCtx context.Context, target string) (document, error) {
	recorder, err := recordDocument(tabCtx)
	if err != nil {
		return document{}, err
	}

	if err := navigate(tabCtx, target); err != nil {
		if tabCtx.Err() != nil {
			return document{}, timeoutError(tabCtx, target, false, 0)
		}
		return document{}, &fetch.Error{Kind: fetch.Network, URL: target, Err: err}
	}

	// A challenge that keeps reloading is mostly seen between two
	// documents, so one sighting marks the whole wait.
	sawChallenge := false
	for {
		doc, challenged, err := loadedDocument(tabCtx, recorder)
		if err == nil && !challenged {
			return doc, nil
		}
		sawChallenge = sawChallenge || challenged

		select {
		case <-tabCtx.Done():
			return document{}, timeoutError(tabCtx, target, sawChallenge, recorder.document().status)
		case <-time.After(pollInterval):
		}
	}
}

// navigate loads target in the tab. The page shown before can abort the
// navigation by reloading itself, as a challenge page does, so an aborted
// navigation is tried again a few times.
func navigate(tabCtx context.Context, target string) error {
	const attempts = 5
	for attempt := 1; ; attempt++ {
		err := chromedp.Do(tabCtx, chromedp.Navigate(target))
		var loadErr *chromedp.LoadError
		if err == nil || attempt == attempts || !errors.As(err, &loadErr) || loadErr.ErrorText != "net::ERR_ABORTED" {
			return err
		}

		select {
		case <-tabCtx.Done():
			return err
		case <-time.After(pollInterval):
		}
	}
}

// loadedDocument returns the tab's document once it has loaded, and
// reports whether it is a challenge. It returns errNotLoaded while the
// document is loading, and also when the evaluation fails, which happens
// while a reload replaces the document.
func loadedDocument(tabCtx context.Context, recorder *documentRecorder) (document, bool, error) {
	state, err := chromedp.Run(tabCtx, chromedp.Evaluate[pageState](pageStateScript))
	doc := recorder.document()
	if err != nil {
		return doc, wafChallenge(doc), errNotLoaded
	}
	// AWS WAF may also reply with HTTP 202 and an empty page.
	emptyAccepted := doc.status == http.StatusAccepted && state.Complete && !state.Loaded
	if state.Challenge || wafChallenge(doc) || emptyAccepted {
		return doc, true, nil
	}
	if !state.ready() || doc.status == 0 {
		return doc, false, errNotLoaded
	}

	html, err := chromedp.Run(tabCtx, chromedp.Evaluate[pageHTML](pageHTMLScript))
	if err != nil {
		return doc, false, errNotLoaded
	}
	doc.url, doc.html = html.URL, []byte(html.HTML)
	// The markers that fetch.Client looks for in a body also cover
	// challenge and CAPTCHA pages that pageStateScript does not know.
	_, found := fetch.ChallengeMarker(doc.html)
	return doc, found, nil
}

var errNotLoaded = errors.New("the page has not finished loading")

// wafChallenge reports whether the document's response carries the AWS WAF
// challenge header, which fetch.Client also checks.
func wafChallenge(doc document) bool {
	return doc.header.Get("X-Amzn-Waf-Action") != ""
}

// timeoutError returns the error for a tab context that ended. status is
// that of the last document response, or 0.
func timeoutError(tabCtx context.Context, target string, challenged bool, status int) error {
	if !errors.Is(context.Cause(tabCtx), errTimeout) {
		return tabCtx.Err()
	}
	if challenged {
		return &fetch.Error{Kind: fetch.Challenged, URL: target, Status: status,
			Err: errors.New("the page in Chromium was still a bot challenge when the browser timeout ended")}
	}
	return &fetch.Error{Kind: fetch.Timeout, URL: target, Err: context.Cause(tabCtx)}
}

// requestError wraps the error of one request. When the caller's ctx ended,
// the error names the request and wraps ctx.Err(), as fetch.Client does.
func requestError(ctx context.Context, target string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("request %s through Chromium: %w", target, ctx.Err())
	}
	var fetchErr *fetch.Error
	if errors.As(err, &fetchErr) {
		return err
	}
	return fmt.Errorf("request %s through Chromium: %w", target, err)
}

// documentRecorder keeps the last HTTP response of a tab's main frame. A
// challenge page that reloads itself makes more than one.
type documentRecorder struct {
	frame string

	mu   sync.Mutex
	last document
}

// recordDocument starts recording the main frame's responses until tabCtx
// ends.
func recordDocument(tabCtx context.Context) (*documentRecorder, error) {
	target := chromedp.FromContext(tabCtx).Target
	// Chromium gives a tab's main frame the id of the tab's target.
	recorder := &documentRecorder{frame: string(target.TargetID)}
	if err := chromedp.Listen(tabCtx, recorder.observe); err != nil {
		return nil, fmt.Errorf("listen to the network events of a Chromium tab: %w", err)
	}
	return recorder, nil
}

// observe runs on the tab's event loop, so it only stores.
func (r *documentRecorder) observe(event any) {
	response, ok := event.(*network.EventResponseReceived)
	if !ok || response.Type != network.ResourceTypeDocument || string(response.FrameID) != r.frame {
		return
	}

	doc := document{
		status: int(response.Response.Status),
		header: httpHeader(response.Response.Headers),
		url:    response.Response.URL,
	}
	r.mu.Lock()
	r.last = doc
	r.mu.Unlock()
}

func (r *documentRecorder) document() document {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// httpHeader converts DevTools header fields, whose repeated values are
// joined by newlines, to an http.Header.
func httpHeader(headers network.Headers) http.Header {
	header := make(http.Header, len(headers))
	for name, value := range headers {
		text, ok := value.(string)
		if !ok {
			text = fmt.Sprint(value)
		}
		for _, line := range strings.Split(text, "\n") {
			header.Add(name, line)
		}
	}
	return header
}

// origin returns the scheme and host of u, such as "https://www.imdb.com".
func origin(u *url.URL) string {
	return u.Scheme + "://" + u.Host
}
