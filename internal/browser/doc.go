// Package browser sends IMDb requests through headless Chromium, for the
// pages that plain HTTP cannot get past a bot challenge.
//
// # When the browser is used
//
// NewFallback combines fetch.Client and a Browser as REELPULSE_BROWSER
// selects:
//
//   - never: plain HTTP only. A challenge fails the request with
//     fetch.ErrChallenged.
//   - always: every request goes through Chromium.
//   - auto, the default: plain HTTP first. A request that fails with
//     fetch.ErrChallenged or fetch.ErrBlocked is sent once more through
//     Chromium, and a warning is logged with the host and the error. Once
//     Chromium succeeded for a host, that host's requests go straight to
//     Chromium for StickyDuration (10 minutes), so that each request does
//     not pay for a failed plain attempt first. A failed browser request
//     other than a 404 ends that period early.
//
// # How requests are sent
//
// Chromium starts on the first request, with a temporary profile that
// Close removes, and with its background services switched off so that
// it only loads what the requested pages load. Each origin gets one tab,
// which serves one request at a time, and all tabs share one cookie
// store.
//
// A GET navigates the tab to the URL and polls every 50 ms until the
// document has loaded and is not a challenge page. The check covers the
// replay server's window.__RP_CHALLENGE__, AWS WAF's window.gokuProps and
// x-amzn-waf-action header, and the body markers of
// fetch.ChallengeMarker. The response is the document's HTML as
// document.documentElement.outerHTML after its scripts ran, with its
// doctype. The HTTP status of the last main-document response, read from
// DevTools network events, maps to *fetch.Error kinds as in fetch.Client:
// for example 404 gives fetch.ErrNotFound and 403 fetch.ErrBlocked. A page
// that is still a challenge when Config.Timeout ends gives
// fetch.ErrChallenged. A GET's header fields are not sent, because a
// navigation sends the browser's own.
//
// A POST, such as a GraphQL call, runs fetch() with credentials "include"
// inside a page of the origin that sends it. That page is the request's
// Referer, or the root of the request URL's origin when there is no
// Referer, and it is loaded first unless the tab already shows it or
// another page of its origin. On IMDb the GraphQL host,
// caching.graphql.imdb.com, differs from the page host, www.imdb.com, and
// its root is no page. So the call is made cross-origin from the page
// host, with the cookies that the browser stores for the GraphQL host.
// This is what IMDb's own pages do, and it relies on IMDb's CORS rules
// allowing it.
//
// NOTE: the tests cover only same-origin calls, because the replay server
// serves pages and GraphQL from one origin.
//
// A POST challenged in a page that was already loaded loads
// the page again and is retried once, because the cookie of the earlier
// challenge may have expired.
//
// # Cost
//
// Measured with the benchmarks in cost_test.go against the replay server
// on 127.0.0.1 serving the 30-review example movie behind
// replay.JSChallenge:
//
//	go test -run '^$' -bench . -benchtime 20x ./internal/browser/
//
// on a 2-core Intel Xeon VM with 24 GiB of memory and Debian's Chromium
// 156, while other test jobs kept the load average between 5 and 15. The
// ranges span four runs, so expect the lower ends on an idle machine.
//
//   - Chromium start, from launch until it accepts commands: 0.45 to 3.3 s.
//     Start, first page and graceful close together: 0.94 to 5.8 s.
//   - One reviews page (FirstReviews) with the challenge already passed:
//     106 to 172 ms through Chromium, against 1.4 to 2.0 ms over plain
//     HTTP, which is 60 to 95 times as long.
//   - One GraphQL page (NextReviews): 9.3 to 16 ms through Chromium,
//     against 0.2 to 0.44 ms over plain HTTP.
//   - Memory of the Chromium process tree (10 processes) after the runs,
//     read from /proc: 295 to 556 MiB PSS, which splits shared pages among
//     the processes. The plain sum of RSS, which counts shared pages once
//     per process, is 1.0 to 1.25 GiB.
//
// Passing a challenge costs one more page load on top of these, and the
// challenge page's own delay, 50 ms on the replay server.
package browser
