package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/browser"
	"github.com/reelpulse/reelpulse/internal/config"
	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/metrics"
	"github.com/reelpulse/reelpulse/internal/poster"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/postgres"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/sync"
)

// app holds the components that every command builds from the
// configuration.
type app struct {
	cfg      *config.Config
	logger   *slog.Logger
	store    store.Store
	imdb     *imdb.Client
	syncer   *sync.Syncer
	posters  *poster.Refresher
	images   fetch.Doer // plain HTTP client of poster downloads, which a browser cannot make
	browser  *browser.Browser
	analyzer analyze.Analyzer
	aspects  []analyze.Aspect // built-in and user-defined
	metrics  *metrics.Metrics // served on /metrics by serve and worker

	sqlite   *sqlite.Store   // set when the store is SQLite
	postgres *postgres.Store // set when the store is PostgreSQL
}

func envLookup() (config.LookupFunc, error) {
	return config.EnvLookup(".env")
}

func loadConfig(lookup config.LookupFunc) (*config.Config, error) {
	cfg, err := config.Load(lookup)
	if err != nil {
		return nil, fmt.Errorf("%w\nsee `reelpulse config` and docs/configuration.md for the settings", err)
	}
	return cfg, nil
}

// loadApp reads the configuration, with overrides applied by the caller, and
// opens the store and migrates it.
func loadApp(ctx context.Context, env *environment, override func(*config.Config)) (*app, error) {
	cfg, logger, err := loadSettings(env, override)
	if err != nil {
		return nil, err
	}
	return openApp(ctx, cfg, logger)
}

// loadSettings reads the configuration, applies the caller's overrides and
// returns it with the logger it configures.
func loadSettings(env *environment, override func(*config.Config)) (*config.Config, *slog.Logger, error) {
	lookup, names, err := config.EnvLookupWithNames(".env")
	if err != nil {
		return nil, nil, err
	}
	cfg, err := loadConfig(lookup)
	if err != nil {
		return nil, nil, err
	}
	if override != nil {
		override(cfg)
	}

	logger := newLogger(cfg, env)
	for _, name := range config.UnknownVariables(names) {
		logger.Warn("Unknown setting ignored; see `reelpulse config` for the valid names", "name", name)
	}
	return cfg, logger, nil
}

func newLogger(cfg *config.Config, env *environment) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(env.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(env.stderr, opts))
}

func openApp(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, logger: logger, metrics: metrics.New()}
	if err := a.openStore(ctx); err != nil {
		return nil, err
	}
	if err := a.store.Migrate(ctx); err != nil {
		_ = a.store.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}

	if err := a.openIMDb(); err != nil {
		_ = a.store.Close()
		return nil, err
	}
	a.syncer = sync.New(a.imdb, a.store, logger, time.Now)
	a.posters = poster.NewRefresher(a.images, a.store, logger, time.Now)
	var err error
	a.aspects, err = analyze.LoadAspects(cfg.AspectsFile)
	if err != nil {
		_ = a.store.Close()
		return nil, err
	}
	a.analyzer, err = buildAnalyzer(cfg.Analyzer, cfg, a.aspects, a.usage(), logger)
	if err != nil {
		_ = a.store.Close()
		return nil, err
	}
	return a, nil
}

// openIMDb sets up the IMDb client, without the database that openApp
// also opens.
func (a *app) openIMDb() error {
	cfg := a.cfg
	if left := cfg.DefaultIMDbURLsLeft(); len(left) > 0 {
		a.logger.Warn("Some IMDb URLs were changed but these still point at IMDb, so their requests go there; set them too when IMDb is replaced",
			"settings", strings.Join(left, ","))
	}
	doer, err := a.newDoer()
	if err != nil {
		return err
	}
	a.imdb = imdb.NewClient(doer, imdb.Config{
		BaseURL:    cfg.IMDbBaseURL,
		GraphQLURL: cfg.IMDbGraphQLURL,
		SuggestURL: cfg.IMDbSuggestURL,
		PageSize:   cfg.PageSize,
	})
	return nil
}

// newDoer returns the outbound HTTP client: plain HTTP with the headless
// browser as fallback, as REELPULSE_BROWSER selects. The hosts of IMDb URLs
// that were changed from their defaults may be private addresses, because
// a user who points them at a replay server or proxy means it; IMDb's own
// hosts must stay public, which defeats DNS rebinding.
func (a *app) newDoer() (fetch.Doer, error) {
	cfg := a.cfg
	fetchCfg := fetch.DefaultConfig()
	fetchCfg.UserAgent = cfg.UserAgent
	fetchCfg.RequestsPerSecond = cfg.RequestsPerSecond
	fetchCfg.MaxConcurrentPerHost = cfg.ConcurrentPerHost
	fetchCfg.Timeout = cfg.HTTPTimeout
	fetchCfg.MaxRetries = cfg.MaxRetries
	fetchCfg.Observer = a.metrics
	for _, raw := range cfg.CustomIMDbURLs() {
		if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
			fetchCfg.AllowedPrivateHosts = append(fetchCfg.AllowedPrivateHosts, u.Hostname())
		}
	}
	if err := fetchCfg.Validate(); err != nil {
		return nil, err
	}
	plain := fetch.New(fetchCfg, a.logger)
	a.images = plain

	mode, err := browser.ParseMode(cfg.Browser)
	if err != nil {
		return nil, err
	}
	a.browser = browser.New(browser.Config{
		Path:      cfg.BrowserPath,
		Timeout:   cfg.HTTPTimeout,
		UserAgent: cfg.UserAgent,
		Logger:    a.logger,
	})
	return browser.NewFallback(plain, a.browser, mode, a.logger), nil
}

func (a *app) openStore(ctx context.Context) error {
	if a.cfg.IsPostgres() {
		st, err := postgres.Open(ctx, a.cfg.DatabaseURL, a.logger)
		if err != nil {
			return fmt.Errorf("open PostgreSQL database %s: %w", config.Mask(a.cfg.DatabaseURL), err)
		}
		a.store, a.postgres = st, st
		return nil
	}

	path := a.cfg.SQLitePath()
	st, err := sqlite.Open(ctx, path, a.logger)
	if err != nil {
		return fmt.Errorf("open SQLite database %s: %w", path, err)
	}
	a.store, a.sqlite = st, st
	return nil
}

// queue returns a job queue client over the app's database.
func (a *app) queue(ctx context.Context, mode jobs.Mode) (*jobs.Queue, error) {
	cfg := jobs.Config{
		CheckInterval:     a.cfg.CheckInterval,
		FullSyncInterval:  a.cfg.FullSyncInterval,
		SyncWorkers:       a.cfg.SyncWorkers,
		CheckWorkers:      a.cfg.CheckWorkers,
		AnalyzeWorkers:    a.cfg.AnalyzeWorkers,
		ParkAfterFailures: a.cfg.ParkAfterFailures,
		RescueStuckAfter:  a.cfg.RescueStuckAfter,
		BackupInterval:    a.cfg.Backup.Interval,
	}
	deps := jobs.Deps{Store: a.store, Syncer: a.syncer, Posters: a.posters, Analyzer: a.analyzer, Logger: a.logger, Now: time.Now, Metrics: a.metrics}
	if a.cfg.Backup.Target != "" {
		backupJob, err := a.backupJob()
		if err != nil {
			return nil, err
		}
		deps.Backup = backupJob
	}
	if a.postgres != nil {
		return jobs.NewPostgres(ctx, a.postgres.Pool(), cfg, deps, mode)
	}
	if a.sqlite != nil {
		return jobs.NewSQLite(ctx, a.sqlite.WriterDB(), cfg, deps, mode)
	}
	return nil, errors.New("no database is open")
}

func (a *app) close() {
	if a.browser != nil {
		a.browser.Close()
	}
	if a.store == nil {
		return
	}
	if err := a.store.Close(); err != nil {
		a.logger.Error("Closing the database failed", "error", err)
	}
}

// usage records language model calls in the store and counts them in the
// metrics.
func (a *app) usage() metrics.CountingUsage {
	return metrics.CountingUsage{Usage: a.store, Metrics: a.metrics}
}
