package browser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/reelpulse/reelpulse/internal/fetch"
)

// DefaultTimeout bounds one request when Config.Timeout is zero. It covers
// the page load and the wait for a challenge to clear.
const DefaultTimeout = 30 * time.Second

// closeTimeout bounds the graceful close of Chromium, after which it is
// killed.
const closeTimeout = 10 * time.Second

// Config sets how a Browser starts Chromium.
type Config struct {
	// Path is the Chromium binary: a path, or a name looked up in PATH.
	// Empty means "chromium".
	Path string

	// Timeout bounds one request once it has its tab: the page load, the
	// wait for a challenge to clear and the GraphQL call. It also bounds
	// the start of Chromium and of each tab. Zero means DefaultTimeout.
	Timeout time.Duration

	// UserAgent replaces Chromium's own User-Agent header, which contains
	// "HeadlessChrome". Empty keeps Chromium's.
	UserAgent string

	// Logger receives records of Chromium starting and stopping. Nil
	// discards them.
	Logger *slog.Logger
}

// Browser sends requests through headless Chromium, so that pages run their
// scripts and bot challenges that need JavaScript pass. It implements
// fetch.Doer and is safe for concurrent use.
//
// Chromium starts on the first request and stays running until Close. Each
// origin gets one tab, which serves one request at a time. All tabs share
// one cookie store, so a challenge passed in one tab counts for all.
type Browser struct {
	config Config
	logger *slog.Logger

	mu      sync.Mutex
	process *process // nil before the first request and after Close
}

var _ fetch.Doer = (*Browser)(nil)

// New returns a Browser that starts Chromium on its first request.
func New(cfg Config) *Browser {
	if cfg.Path == "" {
		cfg.Path = "chromium"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Browser{config: cfg, logger: logger}
}

// Do sends req through Chromium. A GET loads the URL in a tab and returns
// the page's HTML after its scripts ran. A POST runs fetch() inside a page
// of the origin that sent it. See the package documentation for both.
//
// Do ignores the header fields of a GET, because a navigation sends the
// browser's own. Failures are *fetch.Error values of the same kinds that
// fetch.Client returns, except that nothing is retried.
func (b *Browser) Do(ctx context.Context, req *http.Request) (*fetch.Response, error) {
	switch req.Method {
	case http.MethodGet:
		return b.get(ctx, req)
	case http.MethodPost:
		return b.post(ctx, req)
	}
	return nil, fmt.Errorf("send %s %s through Chromium: unsupported method; use GET or POST", req.Method, req.URL)
}

// Close stops Chromium and removes its profile folder. A later request
// starts Chromium again.
func (b *Browser) Close() error {
	b.mu.Lock()
	p := b.process
	b.process = nil
	b.mu.Unlock()

	if p == nil {
		return nil
	}
	err := p.stop()
	b.logger.Info("stopped Chromium", "pid", p.pid, "error", err)
	return err
}

// PID returns the process id of Chromium's main process, or 0 when it is
// not running.
func (b *Browser) PID() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.process == nil {
		return 0
	}
	return b.process.pid
}

// running returns the Chromium process, starting it when there is none or
// when the last one has exited.
func (b *Browser) running(ctx context.Context) (*process, error) {
	b.mu.Lock()
	defer b.mu.Unlock()

	if b.process != nil && b.process.alive() {
		return b.process, nil
	}
	if b.process != nil {
		b.logger.Warn("Chromium exited; starting it again", "pid", b.process.pid, "error", context.Cause(b.process.ctx))
		_ = b.process.stop()
		b.process = nil
	}

	path, err := exec.LookPath(b.config.Path)
	if err != nil {
		return nil, fmt.Errorf("find Chromium %q: %w; install Debian's chromium package or set REELPULSE_BROWSER_PATH", b.config.Path, err)
	}

	start := time.Now()
	p, err := startProcess(ctx, path, b.config)
	if err != nil {
		return nil, err
	}
	b.logger.Info("started Chromium", "path", path, "pid", p.pid, "duration_ms", time.Since(start).Milliseconds())
	b.process = p
	return p, nil
}

// process is one running Chromium with its tabs.
type process struct {
	ctx             context.Context // the chromedp context of the first tab, alive while Chromium is
	cancel          context.CancelFunc
	cancelAllocator context.CancelFunc
	profileDir      string
	pid             int
	timeout         time.Duration

	tabsMu sync.Mutex
	tabs   map[string]*tab // by origin
}

// startProcess launches Chromium with a fresh profile and waits until it
// accepts commands, at most cfg.Timeout.
func startProcess(ctx context.Context, path string, cfg Config) (*process, error) {
	profileDir, err := os.MkdirTemp("", "reelpulse-chromium-")
	if err != nil {
		return nil, fmt.Errorf("create Chromium profile folder: %w; check that the temporary folder is writable", err)
	}

	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(), launchOptions(path, profileDir, cfg.UserAgent)...)
	browserCtx, cancel := chromedp.NewContext(allocator)
	// chromedp's cancel function blocks forever when called a second time
	// on a browser that never started, and both the start timeout and stop
	// may call it.
	cancel = sync.OnceFunc(cancel)
	p := &process{
		ctx:             browserCtx,
		cancel:          cancel,
		cancelAllocator: cancelAllocator,
		profileDir:      profileDir,
		timeout:         cfg.Timeout,
		tabs:            make(map[string]*tab),
	}

	// The first Run binds Chromium's life to its context, so it must get
	// browserCtx itself. The caller's context and the timeout end it by
	// stopping the whole process instead.
	err = boundedStart(ctx, cfg.Timeout, cancel, func() error { return chromedp.Do(browserCtx) })
	if err != nil {
		_ = p.stop()
		return nil, fmt.Errorf("start Chromium %s: %w; check that it runs with --headless, or raise the browser timeout", path, err)
	}
	p.pid = chromedp.FromContext(browserCtx).Browser.Process().Pid
	return p, nil
}

// launchOptions are the Chromium flags. Besides headless mode they switch
// off every background service that would reach the internet on its own, so
// Chromium only sends the requests that pages make.
func launchOptions(path, profileDir, userAgent string) []chromedp.ExecAllocatorOption {
	options := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // the service runs as root, where the sandbox cannot start
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profileDir),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("password-store", "basic"),
		// Each tab has a window of its own, which a headful Chromium would
		// throttle as hidden. Challenge scripts rely on their timers.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
	}
	if userAgent != "" {
		options = append(options, chromedp.UserAgent(userAgent))
	}
	return options
}

// boundedStart runs start, whose context must outlive it and so cannot
// carry a deadline. When ctx ends or timeout passes first, it calls abort,
// which must make start return.
func boundedStart(ctx context.Context, timeout time.Duration, abort func(), start func() error) error {
	timedOut := make(chan struct{})
	timer := time.AfterFunc(timeout, func() {
		close(timedOut)
		abort()
	})
	stop := context.AfterFunc(ctx, abort)

	err := start()
	timer.Stop()
	stop()

	select {
	case <-timedOut:
		return fmt.Errorf("timed out after %s", timeout)
	default:
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (p *process) alive() bool {
	return p.ctx.Err() == nil
}

// stop closes Chromium, waits for it to exit and removes its profile.
func (p *process) stop() error {
	if p.pid == 0 {
		// Chromium never started, so there is nothing to close gracefully.
		p.cancel()
	} else {
		// A graceful close lets Chromium delete the temporary files that it
		// makes outside the profile, which a kill would leave behind.
		// chromedp.Cancel kills Chromium when the context ends first, and
		// WithoutCancel keeps the close working after Chromium crashed.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), closeTimeout)
		_ = chromedp.Cancel(ctx)
		cancel()
	}
	p.cancelAllocator()

	if err := os.RemoveAll(p.profileDir); err != nil {
		return fmt.Errorf("remove Chromium profile %s: %w; delete it by hand", p.profileDir, err)
	}
	return nil
}

// tab returns the tab for origin, opening it if it does not exist or has
// been closed. The tab is returned locked, and the caller must unlock it.
func (p *process) tab(ctx context.Context, origin string) (*tab, error) {
	p.tabsMu.Lock()
	t := p.tabs[origin]
	if t == nil {
		t = newTab()
		p.tabs[origin] = t
	}
	p.tabsMu.Unlock()

	if err := t.lock(ctx); err != nil {
		return nil, err
	}
	if err := t.open(ctx, p.ctx, origin, p.timeout); err != nil {
		t.unlock()
		return nil, err
	}
	return t, nil
}

// tab is one Chromium tab that serves the requests of one origin in turn.
// Its context ends when Chromium stops.
type tab struct {
	turn chan struct{} // holds a value while a request uses the tab
	ctx  context.Context
}

func newTab() *tab {
	return &tab{turn: make(chan struct{}, 1)}
}

func (t *tab) lock(ctx context.Context) error {
	select {
	case t.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *tab) unlock() {
	<-t.turn
}

// open creates the Chromium tab when there is none or the last one closed.
// The caller must hold the tab.
func (t *tab) open(ctx, browserCtx context.Context, origin string, timeout time.Duration) error {
	if t.ctx != nil && t.ctx.Err() == nil {
		return nil
	}

	tabCtx, cancel := chromedp.NewContext(browserCtx)
	cancel = sync.OnceFunc(cancel)
	// As with Chromium itself, the first Run binds the tab's life to its
	// context.
	err := boundedStart(ctx, timeout, cancel, func() error { return chromedp.Do(tabCtx) })
	if err != nil {
		cancel()
		return fmt.Errorf("open a Chromium tab for %s: %w; retry, and restart the service if Chromium keeps failing", origin, err)
	}
	t.ctx = tabCtx
	return nil
}

// withTab runs use in the tab of origin with a context that ends at the
// browser timeout or when ctx ends.
func (b *Browser) withTab(ctx context.Context, origin string, use func(tabCtx context.Context) error) error {
	p, err := b.running(ctx)
	if err != nil {
		return err
	}
	t, err := p.tab(ctx, origin)
	if err != nil {
		return err
	}
	defer t.unlock()

	tabCtx, cancel := context.WithTimeoutCause(t.ctx, b.config.Timeout, errTimeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()

	return use(tabCtx)
}

// errTimeout is the cause of a tab context that reached Config.Timeout.
var errTimeout = errors.New("browser timeout reached")
