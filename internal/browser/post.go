package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/fetch"
)

// fetchFunction sends one request from inside the page, with the cookies
// of the browser, and returns the whole response.
const fetchFunction = `async (url, init) => {
  const response = await fetch(url, init);
  return {
    status: response.status,
    url: response.url,
    header: Array.from(response.headers.entries()),
    body: await response.text(),
  };
}`

// fetchInit is the init argument of fetch(). Chromium silently drops the
// header fields that a page may not set, such as User-Agent and Cookie.
type fetchInit struct {
	Method      string      `json:"method"`
	Headers     [][2]string `json:"headers"`
	Body        string      `json:"body"`
	Credentials string      `json:"credentials"`
	Cache       string      `json:"cache"`
	Referrer    string      `json:"referrer,omitempty"`
}

type fetchResult struct {
	Status int         `json:"status"`
	URL    string      `json:"url"`
	Header [][2]string `json:"header"`
	Body   string      `json:"body"`
}

// post sends req with fetch() from a page of the origin that sent it: the
// origin of the Referer header, or else of the request URL. On IMDb the
// GraphQL host differs from the page host, so the call is cross-origin.
// It then carries the cookies that the browser stores for the GraphQL
// host, such as the AWS WAF token that a challenge on www.imdb.com set for
// all of imdb.com. IMDb's CORS rules must allow the call, as they do for
// IMDb's own pages.
func (b *Browser) post(ctx context.Context, req *http.Request) (*fetch.Response, error) {
	target := req.URL.String()
	init, err := newFetchInit(req)
	if err != nil {
		return nil, err
	}

	page := sendingPage(req)
	var resp *fetch.Response
	err = b.withTab(ctx, origin(page), func(tabCtx context.Context) error {
		result, err := fetchFromPage(tabCtx, page.String(), target, init)
		if err != nil {
			return err
		}
		header := result.httpHeader()
		body := []byte(result.Body)
		if err := classify(target, result.Status, header, body); err != nil {
			return err
		}
		resp = &fetch.Response{Status: result.Status, Header: header, Body: body, URL: result.URL}
		return nil
	})
	if err != nil {
		return nil, requestError(ctx, target, err)
	}
	return resp, nil
}

func newFetchInit(req *http.Request) (fetchInit, error) {
	target := req.URL.String()
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return fetchInit{}, fmt.Errorf("read the body of the request to %s: %w", target, err)
		}
	}
	if !utf8.Valid(body) {
		return fetchInit{}, fmt.Errorf("send POST %s through Chromium: the body is not UTF-8 text, which is all the browser fallback can send", target)
	}

	init := fetchInit{
		Method:      req.Method,
		Body:        string(body),
		Credentials: "include",
		Cache:       "no-store",
		Referrer:    req.Header.Get("Referer"),
	}
	for name, values := range req.Header {
		if http.CanonicalHeaderKey(name) == "Referer" {
			continue
		}
		for _, value := range values {
			init.Headers = append(init.Headers, [2]string{name, value})
		}
	}
	return init, nil
}

// sendingPage returns the page that a browser would send req from: the
// Referer when it is an http or https URL, or else the root of the request
// URL's origin.
func sendingPage(req *http.Request) *url.URL {
	if referer, err := url.Parse(req.Header.Get("Referer")); err == nil &&
		(referer.Scheme == "http" || referer.Scheme == "https") && referer.Host != "" {
		return referer
	}
	return &url.URL{Scheme: req.URL.Scheme, Host: req.URL.Host, Path: "/"}
}

// fetchFromPage loads page unless the tab already shows a page of its
// origin, and runs fetch() there. When the call is challenged in a page
// that was already loaded, the cookie of its challenge may have expired,
// so it loads page again, which passes a new challenge, and retries once.
func fetchFromPage(tabCtx context.Context, page, target string, init fetchInit) (fetchResult, error) {
	loaded, err := loadOrigin(tabCtx, page)
	if err != nil {
		return fetchResult{}, err
	}

	result, err := runFetch(tabCtx, target, init)
	if err != nil || loaded || !challenged(result) {
		return result, err
	}

	if _, err := load(tabCtx, page); err != nil {
		return fetchResult{}, err
	}
	return runFetch(tabCtx, target, init)
}

// loadOrigin loads page when the tab shows no finished page of its origin,
// and reports whether it did. The status of page does not matter, because
// any page of the origin can send the request.
func loadOrigin(tabCtx context.Context, page string) (bool, error) {
	pageURL, err := url.Parse(page)
	if err != nil {
		return false, fmt.Errorf("parse page URL %q: %w", page, err)
	}
	state, err := chromedp.Run(tabCtx, chromedp.Evaluate[pageState](pageStateScript))
	if err == nil && state.Origin == origin(pageURL) && state.ready() && !state.Challenge {
		return false, nil
	}

	_, err = load(tabCtx, page)
	return true, err
}

func runFetch(tabCtx context.Context, target string, init fetchInit) (fetchResult, error) {
	targetJSON, err := json.Marshal(target)
	if err != nil {
		return fetchResult{}, fmt.Errorf("encode URL %s: %w", target, err)
	}
	initJSON, err := json.Marshal(init)
	if err != nil {
		return fetchResult{}, fmt.Errorf("encode the request to %s: %w", target, err)
	}

	expression := "(" + fetchFunction + ")(" + string(targetJSON) + ", " + string(initJSON) + ")"
	result, err := chromedp.Run(tabCtx, chromedp.Evaluate[fetchResult](expression, chromedp.EvalAwaitPromise))
	if err != nil {
		if tabCtx.Err() != nil {
			return fetchResult{}, timeoutError(tabCtx, target, false, 0)
		}
		// fetch() rejects with a TypeError for network and CORS failures.
		var exception *chromedp.ExceptionError
		if errors.As(err, &exception) {
			return fetchResult{}, &fetch.Error{Kind: fetch.Network, URL: target, Err: err}
		}
		return fetchResult{}, fmt.Errorf("run fetch() for %s in Chromium: %w", target, err)
	}
	return result, nil
}

func (r fetchResult) httpHeader() http.Header {
	header := make(http.Header, len(r.Header))
	for _, field := range r.Header {
		header.Add(field[0], field[1])
	}
	return header
}

func challenged(result fetchResult) bool {
	err := classify(result.URL, result.Status, result.httpHeader(), []byte(result.Body))
	return errors.Is(err, fetch.ErrChallenged)
}
