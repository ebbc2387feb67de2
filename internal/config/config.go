// Package config reads reelpulse's settings from environment variables and an
// optional .env file. Every setting is declared once in the options table,
// which also drives validation, the `reelpulse config` dump and the
// documentation test.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
)

// Config is the validated configuration that the program passes explicitly
// to each component.
type Config struct {
	DatabaseURL string
	Addr        string
	// BaseURL is the address users reach the dashboard at, when it differs
	// from Addr (behind a proxy); an https URL makes session cookies
	// Secure. Empty when unset.
	BaseURL string
	// SessionIdle ends a browser session unused for that long, and
	// SessionMaxAge ends it that long after sign-in whatever its use.
	SessionIdle   time.Duration
	SessionMaxAge time.Duration
	// AuditRetention is how long audit events are kept; 0 keeps them all.
	AuditRetention time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For header
	// names the client; empty trusts none.
	TrustedProxies []netip.Prefix
	// OIDC is the single sign-on through an OpenID Connect provider, off
	// while its IssuerURL is empty.
	OIDC OIDCConfig

	IMDbBaseURL       string
	IMDbGraphQLURL    string
	UserAgent         string
	RequestsPerSecond float64
	ConcurrentPerHost int
	HTTPTimeout       time.Duration
	MaxRetries        int
	IMDbSuggestURL    string
	PageSize          int
	Browser           string // auto, never or always
	BrowserPath       string

	CheckInterval    time.Duration
	FullSyncInterval time.Duration
	SyncWorkers      int
	CheckWorkers     int
	AnalyzeWorkers   int
	// ParkAfterFailures is the number of consecutive failed review passes
	// after which a movie is parked: left out of the schedule until it is
	// unparked.
	ParkAfterFailures int
	// RescueStuckAfter is how long a job may stay running before River
	// takes it for lost (its worker died) and retries it.
	RescueStuckAfter time.Duration
	// ShutdownTimeout bounds how long a stopping process waits for HTTP
	// requests and running jobs before cancelling them.
	ShutdownTimeout time.Duration

	Analyzer    string // offline, openai, gemini or openai-compatible
	AspectsFile string
	LLM         LLMConfig

	Backup BackupConfig

	LogLevel  slog.Level
	LogFormat string
}

// LLMConfig holds the settings of the language model analyzers. Empty
// BaseURL and Model select the provider's defaults.
type LLMConfig struct {
	OpenAIKey         string
	GeminiKey         string
	BaseURL           string
	Model             string
	Concurrency       int
	RequestsPerMinute int
	TokensPerMinute   int
	BatchSize         int
	MaxReviewTokens   int
	Timeout           time.Duration
	MaxRetries        int
	DailyBudgetUSD    float64
	Prices            map[string]Price // by model; added to the built-in prices
}

// OIDCConfig holds the settings of the sign-in through an OpenID Connect
// provider. An empty IssuerURL turns it off.
type OIDCConfig struct {
	IssuerURL    string
	ClientID     string
	ClientSecret string
	// DisplayName is the provider's name on the sign-in button.
	DisplayName string
	// CreateUsers creates an analyst, or an admin, at the first sign-in of
	// a provider account that no user has.
	CreateUsers bool
	// AllowedDomains are the email domains, in lower case, whose
	// addresses may sign in for the first time; empty allows every domain.
	AllowedDomains []string
	// AdminClaim is the ID token claim, such as "groups", that makes a
	// user admin when it contains one of AdminValues. Empty leaves roles to
	// the admins.
	AdminClaim  string
	AdminValues []string
}

// BackupConfig holds the backup target and the S3 settings. An empty
// Target turns the periodic backup job off.
type BackupConfig struct {
	Target     string // s3://bucket/prefix or file:///directory
	Interval   time.Duration
	KeepHourly int
	KeepDaily  int

	S3Endpoint      string
	S3Region        string
	S3PathStyle     bool
	S3SSE           string // "", AES256 or aws:kms
	S3SSEKMSKeyID   string
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// Price is the cost of a model's tokens in US dollars per million.
type Price struct {
	Input  float64
	Output float64
}

// Analyzers lists the values of REELPULSE_ANALYZER.
var Analyzers = []string{"offline", "openai", "gemini", "openai-compatible"}

// DefaultUserAgent is a current desktop browser's User-Agent. IMDb serves
// its regular pages to browsers and challenges unknown clients more often.
const DefaultUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// Option describes one environment variable.
type Option struct {
	Name        string
	Default     string
	Description string
	// Secret values, such as API keys, are replaced whole in `reelpulse
	// config` output and in error messages. Every other value is shown
	// with Mask, which hides the password of a URL.
	Secret bool
	set    func(c *Config, value string) error
}

// Options is the table of every setting, in documentation order.
var Options = []Option{
	{
		Name:        "DATABASE_URL",
		Default:     "reelpulse.db",
		Description: "Database to use: a SQLite file path (or sqlite:///path) for the embedded store, or a postgres:// URL for PostgreSQL.",
		set:         setDatabaseURL,
	},
	{
		Name:        "REELPULSE_ADDR",
		Default:     "127.0.0.1:8080",
		Description: "Host and port the dashboard and API listen on.",
		set:         setAddr,
	},
	{
		Name:        "REELPULSE_BASE_URL",
		Default:     "",
		Description: "Public address of the dashboard, such as https://reelpulse.example.org, when it runs behind a proxy. An https URL marks the session cookie Secure; requests over TLS get a Secure cookie anyway.",
		set:         setBaseURL,
	},
	{
		Name:        "REELPULSE_TRUSTED_PROXIES",
		Default:     "",
		Description: "Comma-separated addresses or CIDR ranges of the reverse proxies in front of the dashboard, e.g. 10.0.0.0/8,127.0.0.1. For requests from them, sign-in throttling and the audit log use the client address from X-Forwarded-For; empty trusts no proxy, so behind one every request counts as the proxy's.",
		set:         setTrustedProxies,
	},
	{
		Name:        "REELPULSE_OIDC_ISSUER_URL",
		Default:     "",
		Description: "Issuer URL of an OpenID Connect provider for single sign-on beside the passwords, exactly as the provider's ID tokens name it, e.g. https://id.example.org/realms/studio for Keycloak or https://accounts.google.com; empty turns it off. It must be https (http only for a loopback address) and needs REELPULSE_BASE_URL and REELPULSE_OIDC_CLIENT_ID. See docs/accounts.md.",
		set:         setOIDCIssuer,
	},
	{
		Name:        "REELPULSE_OIDC_CLIENT_ID",
		Default:     "",
		Description: "Client id that the provider gave reelpulse.",
		set:         func(c *Config, v string) error { c.OIDC.ClientID = strings.TrimSpace(v); return nil },
	},
	{
		Name:        "REELPULSE_OIDC_CLIENT_SECRET",
		Default:     "",
		Description: "Client secret that goes with REELPULSE_OIDC_CLIENT_ID; empty for a public client, which the provider lets sign in with PKCE alone.",
		Secret:      true,
		set:         func(c *Config, v string) error { c.OIDC.ClientSecret = v; return nil },
	},
	{
		Name:        "REELPULSE_OIDC_NAME",
		Default:     "SSO",
		Description: "Name of the provider on the sign-in page's button, \"Sign in with NAME\", e.g. Google or Okta.",
		set:         setOIDCName,
	},
	{
		Name:        "REELPULSE_OIDC_CREATE_USERS",
		Default:     "false",
		Description: "Create an analyst at the first sign-in of a provider account whose verified email names no user (an admin when the admin claim matches). When false, an admin must create the user first, named by the email address.",
		set:         func(c *Config, v string) error { return setBool(&c.OIDC.CreateUsers, v) },
	},
	{
		Name:        "REELPULSE_OIDC_ALLOWED_DOMAINS",
		Default:     "",
		Description: "Comma-separated email domains, e.g. studio.example,post.studio.example, whose addresses may sign in through the provider for the first time, to a new or an existing user; empty allows every domain that the provider vouches for.",
		set:         setOIDCAllowedDomains,
	},
	{
		Name:        "REELPULSE_OIDC_ADMIN_CLAIM",
		Default:     "",
		Description: "ID token claim, e.g. groups or roles, that makes a user admin when it holds one of REELPULSE_OIDC_ADMIN_VALUES. It is read at every sign-in, which promotes and demotes the user, but never demotes the last enabled admin. Empty leaves roles to the admins.",
		set:         func(c *Config, v string) error { c.OIDC.AdminClaim = strings.TrimSpace(v); return nil },
	},
	{
		Name:        "REELPULSE_OIDC_ADMIN_VALUES",
		Default:     "",
		Description: "Comma-separated values of REELPULSE_OIDC_ADMIN_CLAIM that make a user admin, e.g. reelpulse-admins.",
		set:         setOIDCAdminValues,
	},
	{
		Name:        "REELPULSE_SESSION_IDLE",
		Default:     "12h",
		Description: "A dashboard session that has not been used for this long ends, and the user signs in again (Go duration, at least 5m).",
		set:         func(c *Config, v string) error { return setDuration(&c.SessionIdle, v, 5*time.Minute) },
	},
	{
		Name:        "REELPULSE_SESSION_MAX_AGE",
		Default:     "168h",
		Description: "A dashboard session ends this long after its sign-in, however much it is used (Go duration, at least 5m; 168h is 7 days).",
		set:         func(c *Config, v string) error { return setDuration(&c.SessionMaxAge, v, 5*time.Minute) },
	},
	{
		Name:        "REELPULSE_AUDIT_RETENTION",
		Default:     "8760h",
		Description: "Audit events (sign-ins, account and token changes) older than this are deleted every hour (Go duration; 0 keeps them all). The default keeps a year; the sign-in throttle needs only the last minute.",
		set:         setAuditRetention,
	},
	{
		Name:        "REELPULSE_IMDB_BASE_URL",
		Default:     "https://www.imdb.com",
		Description: "Base URL of IMDb's web pages (title and reviews pages). Point it at a replay server for tests and demos.",
		set:         func(c *Config, v string) error { return setURL(&c.IMDbBaseURL, v) },
	},
	{
		Name:        "REELPULSE_IMDB_GRAPHQL_URL",
		Default:     "https://caching.graphql.imdb.com/",
		Description: "IMDb's GraphQL endpoint, used for every page of reviews after the first.",
		set:         func(c *Config, v string) error { return setURL(&c.IMDbGraphQLURL, v) },
	},
	{
		Name:        "REELPULSE_USER_AGENT",
		Default:     DefaultUserAgent,
		Description: "User-Agent header sent to IMDb.",
		set: func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("must not be empty")
			}
			c.UserAgent = v
			return nil
		},
	},
	{
		Name:        "REELPULSE_REQUESTS_PER_SECOND",
		Default:     "1",
		Description: "Maximum requests per second to each remote host from one process (decimal, e.g. 0.5); W worker processes send up to W times as many.",
		set:         setRequestsPerSecond,
	},
	{
		Name:        "REELPULSE_HTTP_TIMEOUT",
		Default:     "30s",
		Description: "Timeout of one HTTP request attempt (Go duration, e.g. 30s).",
		set:         func(c *Config, v string) error { return setDuration(&c.HTTPTimeout, v, time.Second) },
	},
	{
		Name:        "REELPULSE_MAX_RETRIES",
		Default:     "3",
		Description: "Retries of a request that timed out or got HTTP 429 or 5xx, with exponential back-off.",
		set:         func(c *Config, v string) error { return setInt(&c.MaxRetries, v, 0, 10) },
	},
	{
		Name:        "REELPULSE_CONCURRENT_PER_HOST",
		Default:     "2",
		Description: "Requests to one remote host that one process may have in flight at once. At a response time of L seconds a process sends at most this many divided by L requests per second, whatever REELPULSE_REQUESTS_PER_SECOND allows.",
		set:         func(c *Config, v string) error { return setInt(&c.ConcurrentPerHost, v, 1, 32) },
	},
	{
		Name:        "REELPULSE_IMDB_SUGGEST_URL",
		Default:     "https://v3.sg.media-imdb.com/suggestion",
		Description: "Base URL of IMDb's title suggestion endpoint, used by the title search when adding a movie.",
		set:         func(c *Config, v string) error { return setURL(&c.IMDbSuggestURL, v) },
	},
	{
		Name:        "REELPULSE_PAGE_SIZE",
		Default:     "25",
		Description: "Reviews requested per GraphQL page. IMDb's own pages ask for 25.",
		set:         func(c *Config, v string) error { return setInt(&c.PageSize, v, 1, 250) },
	},
	{
		Name:        "REELPULSE_BROWSER",
		Default:     "auto",
		Description: "Headless browser fallback: auto (retry a request in Chromium when plain HTTP is challenged or blocked), never, or always.",
		set:         setBrowser,
	},
	{
		Name:        "REELPULSE_BROWSER_PATH",
		Default:     "chromium",
		Description: "Chromium binary for the browser fallback: a path, or a name looked up in PATH.",
		set: func(c *Config, v string) error {
			c.BrowserPath = v
			return nil
		},
	},
	{
		Name:        "REELPULSE_CHECK_INTERVAL",
		Default:     "1h",
		Description: "How often each tracked movie is checked for new reviews (Go duration).",
		set:         func(c *Config, v string) error { return setDuration(&c.CheckInterval, v, time.Minute) },
	},
	{
		Name:        "REELPULSE_FULL_SYNC_INTERVAL",
		Default:     "24h",
		Description: "Maximum age of the last complete review pass before a check queues a new one, which also refreshes votes (Go duration).",
		set:         func(c *Config, v string) error { return setDuration(&c.FullSyncInterval, v, time.Minute) },
	},
	{
		Name:        "REELPULSE_SYNC_WORKERS",
		Default:     "5",
		Description: "Maximum number of movies whose reviews are scraped at the same time by one worker process.",
		set:         func(c *Config, v string) error { return setInt(&c.SyncWorkers, v, 1, 100) },
	},
	{
		Name:        "REELPULSE_CHECK_WORKERS",
		Default:     "8",
		Description: "Maximum number of title checks (metadata and declared review count) run at the same time by one worker process.",
		set:         func(c *Config, v string) error { return setInt(&c.CheckWorkers, v, 1, 100) },
	},
	{
		Name:        "REELPULSE_ANALYZE_WORKERS",
		Default:     "2",
		Description: "Maximum number of movies whose reviews are analyzed at the same time by one worker process.",
		set:         func(c *Config, v string) error { return setInt(&c.AnalyzeWorkers, v, 1, 100) },
	},
	{
		Name:        "REELPULSE_PARK_AFTER_FAILURES",
		Default:     "5",
		Description: "Consecutive failed review passes (failed, blocked or challenged) after which a movie is parked: its error is shown and it is no longer checked until `reelpulse track unpark ID` or the Unpark button.",
		set:         func(c *Config, v string) error { return setInt(&c.ParkAfterFailures, v, 1, 1000) },
	},
	{
		Name:        "REELPULSE_RESCUE_STUCK_AFTER",
		Default:     "1h10m",
		Description: "How long a job may stay running before it is taken for lost (its process died) and retried (Go duration). Must be longer than 1h, the longest job timeout.",
		set:         setRescueStuckAfter,
	},
	{
		Name:        "REELPULSE_SHUTDOWN_TIMEOUT",
		Default:     "30s",
		Description: "On SIGTERM or Ctrl-C, how long to wait for HTTP requests and running jobs to finish before cancelling them (Go duration). A cancelled review pass stores nothing and is retried.",
		set:         func(c *Config, v string) error { return setDuration(&c.ShutdownTimeout, v, time.Second) },
	},
	{
		Name:        "REELPULSE_ANALYZER",
		Default:     "offline",
		Description: "Review analyzer: offline (embedded word lists, no network; also called lexicon), openai, gemini, or openai-compatible (Ollama, vLLM, llama.cpp and other servers of the OpenAI chat API).",
		set:         setAnalyzer,
	},
	{
		Name:        "REELPULSE_ASPECTS_FILE",
		Default:     "",
		Description: "JSON file of aspects to score in addition to the built-in ones; see docs/analysis.md. Language models score them all; the offline analyzer scores those with terms.",
		set:         func(c *Config, v string) error { c.AspectsFile = v; return nil },
	},
	{
		Name:        "OPENAI_API_KEY",
		Default:     "",
		Description: "API key for REELPULSE_ANALYZER=openai; also sent to an openai-compatible server when set.",
		Secret:      true,
		set:         func(c *Config, v string) error { c.LLM.OpenAIKey = v; return nil },
	},
	{
		Name:        "GEMINI_API_KEY",
		Default:     "",
		Description: "API key for REELPULSE_ANALYZER=gemini.",
		Secret:      true,
		set:         func(c *Config, v string) error { c.LLM.GeminiKey = v; return nil },
	},
	{
		Name:        "REELPULSE_LLM_BASE_URL",
		Default:     "",
		Description: "Base URL of the chat completions API; empty means the provider's own (OpenAI or Gemini). Required for openai-compatible, e.g. http://127.0.0.1:11434/v1/ for Ollama.",
		set:         setLLMBaseURL,
	},
	{
		Name:        "REELPULSE_LLM_MODEL",
		Default:     "",
		Description: "Model name; empty means gpt-4o-mini for openai and gemini-2.5-flash for gemini. Required for openai-compatible.",
		set:         func(c *Config, v string) error { c.LLM.Model = strings.TrimSpace(v); return nil },
	},
	{
		Name:        "REELPULSE_LLM_CONCURRENCY",
		Default:     "4",
		Description: "Language model requests in flight at once.",
		set:         func(c *Config, v string) error { return setInt(&c.LLM.Concurrency, v, 1, 64) },
	},
	{
		Name:        "REELPULSE_LLM_REQUESTS_PER_MINUTE",
		Default:     "0",
		Description: "Maximum language model requests per minute; 0 means no limit. Set it to your provider's rate limit.",
		set:         func(c *Config, v string) error { return setInt(&c.LLM.RequestsPerMinute, v, 0, 1_000_000) },
	},
	{
		Name:        "REELPULSE_LLM_TOKENS_PER_MINUTE",
		Default:     "0",
		Description: "Maximum language model tokens per minute, estimated before each request; 0 means no limit.",
		set:         func(c *Config, v string) error { return setInt(&c.LLM.TokensPerMinute, v, 0, 1_000_000_000) },
	},
	{
		Name:        "REELPULSE_LLM_BATCH_SIZE",
		Default:     "8",
		Description: "Short reviews sent together in one language model request; 1 sends every review alone.",
		set:         func(c *Config, v string) error { return setInt(&c.LLM.BatchSize, v, 1, 50) },
	},
	{
		Name:        "REELPULSE_LLM_MAX_REVIEW_TOKENS",
		Default:     "4000",
		Description: "Longest review text sent to a language model, in estimated tokens; longer texts are cut at a sentence and the result is marked trimmed.",
		set:         func(c *Config, v string) error { return setInt(&c.LLM.MaxReviewTokens, v, 200, 100_000) },
	},
	{
		Name:        "REELPULSE_LLM_TIMEOUT",
		Default:     "60s",
		Description: "Timeout of one language model request (Go duration).",
		set:         func(c *Config, v string) error { return setDuration(&c.LLM.Timeout, v, time.Second) },
	},
	{
		Name:        "REELPULSE_LLM_MAX_RETRIES",
		Default:     "3",
		Description: "Retries of a language model request that got HTTP 429 or 5xx or timed out, with back-off that honours Retry-After.",
		set:         func(c *Config, v string) error { return setInt(&c.LLM.MaxRetries, v, 0, 10) },
	},
	{
		Name:        "REELPULSE_LLM_DAILY_BUDGET_USD",
		Default:     "0",
		Description: "Spending limit per UTC day in US dollars; when reached, analysis pauses until the next day. 0 means no limit.",
		set:         setBudget,
	},
	{
		Name:        "REELPULSE_LLM_PRICES",
		Default:     "",
		Description: "Prices in US dollars per million input/output tokens, as model=input/output pairs separated by commas, e.g. gpt-4o-mini=0.15/0.60; they add to and override the built-in table.",
		set:         setPrices,
	},
	{
		Name:        "REELPULSE_BACKUP_TARGET",
		Default:     "",
		Description: "Where backups go: s3://bucket/prefix or file:///directory. When set, a backup is taken every REELPULSE_BACKUP_INTERVAL; empty turns the periodic backup off. See docs/backups.md.",
		set:         setBackupTarget,
	},
	{
		Name:        "REELPULSE_BACKUP_INTERVAL",
		Default:     "1h",
		Description: "Time between two periodic backups (Go duration, at least 1m).",
		set:         func(c *Config, v string) error { return setDuration(&c.Backup.Interval, v, time.Minute) },
	},
	{
		Name:        "REELPULSE_BACKUP_KEEP_HOURLY",
		Default:     "24",
		Description: "After each periodic backup, keep the newest backup of each of the last this many hours that have one (with REELPULSE_BACKUP_KEEP_DAILY; 0 for both keeps every backup).",
		set:         func(c *Config, v string) error { return setInt(&c.Backup.KeepHourly, v, 0, 10_000) },
	},
	{
		Name:        "REELPULSE_BACKUP_KEEP_DAILY",
		Default:     "30",
		Description: "After each periodic backup, also keep the newest backup of each of the last this many days that have one.",
		set:         func(c *Config, v string) error { return setInt(&c.Backup.KeepDaily, v, 0, 10_000) },
	},
	{
		Name:        "REELPULSE_S3_ENDPOINT",
		Default:     "",
		Description: "URL of the S3 server, e.g. http://127.0.0.1:9000 for MinIO; empty means AWS.",
		set:         setS3Endpoint,
	},
	{
		Name:        "REELPULSE_S3_REGION",
		Default:     "",
		Description: "Region of the backup bucket; empty uses AWS_REGION, or else asks the server.",
		set:         func(c *Config, v string) error { c.Backup.S3Region = v; return nil },
	},
	{
		Name:        "AWS_REGION",
		Default:     "",
		Description: "The standard AWS region variable, used when REELPULSE_S3_REGION is empty.",
		set: func(c *Config, v string) error {
			if c.Backup.S3Region == "" {
				c.Backup.S3Region = v
			}
			return nil
		},
	},
	{
		Name:        "REELPULSE_S3_PATH_STYLE",
		Default:     "false",
		Description: "Address the bucket as ENDPOINT/BUCKET instead of BUCKET.ENDPOINT: true for MinIO and most S3-compatible servers.",
		set:         func(c *Config, v string) error { return setBool(&c.Backup.S3PathStyle, v) },
	},
	{
		Name:        "REELPULSE_S3_SSE",
		Default:     "",
		Description: "Server-side encryption of backup objects: empty (the bucket's default), AES256, or aws:kms with REELPULSE_S3_SSE_KMS_KEY_ID.",
		set:         setS3SSE,
	},
	{
		Name:        "REELPULSE_S3_SSE_KMS_KEY_ID",
		Default:     "",
		Description: "KMS key id or ARN for REELPULSE_S3_SSE=aws:kms; empty uses the account's default key.",
		set:         func(c *Config, v string) error { c.Backup.S3SSEKMSKeyID = v; return nil },
	},
	{
		Name:        "AWS_ACCESS_KEY_ID",
		Default:     "",
		Description: "Access key of the S3 backup target. Without it, the AWS shared credentials file or the instance's IAM role is used.",
		set:         func(c *Config, v string) error { c.Backup.AccessKeyID = v; return nil },
	},
	{
		Name:        "AWS_SECRET_ACCESS_KEY",
		Default:     "",
		Description: "Secret key that goes with AWS_ACCESS_KEY_ID.",
		Secret:      true,
		set:         func(c *Config, v string) error { c.Backup.SecretAccessKey = v; return nil },
	},
	{
		Name:        "AWS_SESSION_TOKEN",
		Default:     "",
		Description: "Session token of temporary AWS credentials, with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
		Secret:      true,
		set:         func(c *Config, v string) error { c.Backup.SessionToken = v; return nil },
	},
	{
		Name:        "REELPULSE_LOG_LEVEL",
		Default:     "info",
		Description: "Log level: debug, info, warn or error.",
		set:         setLogLevel,
	},
	{
		Name:        "REELPULSE_LOG_FORMAT",
		Default:     "text",
		Description: "Log format: text or json.",
		set:         setLogFormat,
	},
}

// LookupFunc returns the value of a variable and whether it is set, like
// os.LookupEnv.
type LookupFunc func(name string) (string, bool)

// Load reads every option through lookup, applying defaults, and returns all
// invalid values in one error.
func Load(lookup LookupFunc) (*Config, error) {
	cfg := &Config{}
	var errs []error
	for _, opt := range Options {
		value, ok := lookup(opt.Name)
		if !ok || value == "" {
			value = opt.Default
		}
		if err := opt.set(cfg, value); err != nil {
			errs = append(errs, fmt.Errorf("invalid %s %q: %w", opt.Name, opt.show(value), err))
		}
	}
	if len(errs) == 0 {
		if err := cfg.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return cfg, errors.Join(errs...)
}

// EnvLookup returns a LookupFunc over the process environment, falling back
// to the variables of the .env file at path when it exists. Variables set in
// the environment win over the file.
func EnvLookup(path string) (LookupFunc, error) {
	lookup, _, err := EnvLookupWithNames(path)
	return lookup, err
}

// EnvLookupWithNames is EnvLookup that also returns the names of every
// variable of the environment and the .env file, for UnknownVariables.
func EnvLookupWithNames(path string) (LookupFunc, []string, error) {
	fileVars := map[string]string{}
	if path != "" {
		vars, err := godotenv.Read(path)
		switch {
		case err == nil:
			fileVars = vars
		case errors.Is(err, os.ErrNotExist):
		default:
			return nil, nil, fmt.Errorf("invalid env file %s (expected NAME=value lines): %w", path, err)
		}
	}

	var names []string
	for _, entry := range os.Environ() {
		name, _, _ := strings.Cut(entry, "=")
		names = append(names, name)
	}
	for name := range fileVars {
		names = append(names, name)
	}
	lookup := func(name string) (string, bool) {
		if v, ok := os.LookupEnv(name); ok {
			return v, true
		}
		v, ok := fileVars[name]
		return v, ok
	}
	return lookup, names, nil
}

// UnknownVariables returns the names among names that start with
// REELPULSE_ but are no setting, sorted: most likely misspelled settings,
// which would otherwise be ignored without a word.
func UnknownVariables(names []string) []string {
	known := make(map[string]bool, len(Options))
	for _, opt := range Options {
		known[opt.Name] = true
	}
	var unknown []string
	for _, name := range names {
		test := strings.HasPrefix(name, "REELPULSE_TEST_") // read by the test suite only
		if strings.HasPrefix(name, "REELPULSE_") && !test && !known[name] && !slices.Contains(unknown, name) {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	return unknown
}

// CustomIMDbURLs returns the IMDb URLs (base, GraphQL, suggestions) whose
// values differ from their defaults.
func (c *Config) CustomIMDbURLs() []string {
	values := map[string]string{
		"REELPULSE_IMDB_BASE_URL":    c.IMDbBaseURL,
		"REELPULSE_IMDB_GRAPHQL_URL": c.IMDbGraphQLURL,
		"REELPULSE_IMDB_SUGGEST_URL": c.IMDbSuggestURL,
	}
	var custom []string
	for _, opt := range Options {
		value, ok := values[opt.Name]
		if ok && value != strings.TrimSuffix(opt.Default, "/") {
			custom = append(custom, value)
		}
	}
	return custom
}

// DefaultIMDbURLsLeft returns the names of the IMDb URL settings that keep
// IMDb's own address while another one was changed, as when a replay
// server replaces IMDb for the title pages but title searches would still
// reach IMDb. It returns nil when none or all were changed.
func (c *Config) DefaultIMDbURLsLeft() []string {
	values := map[string]string{
		"REELPULSE_IMDB_BASE_URL":    c.IMDbBaseURL,
		"REELPULSE_IMDB_GRAPHQL_URL": c.IMDbGraphQLURL,
		"REELPULSE_IMDB_SUGGEST_URL": c.IMDbSuggestURL,
	}
	var left []string
	for _, opt := range Options {
		if value, ok := values[opt.Name]; ok && value == strings.TrimSuffix(opt.Default, "/") {
			left = append(left, opt.Name)
		}
	}
	if len(left) == len(values) {
		return nil
	}
	return left
}

// IsPostgres reports whether DatabaseURL selects PostgreSQL.
func (c *Config) IsPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SQLitePath returns the SQLite file path that DatabaseURL names.
func (c *Config) SQLitePath() string {
	return strings.TrimPrefix(c.DatabaseURL, "sqlite://")
}

// Dump returns "NAME=value" lines of the effective configuration, sorted by
// name, with secrets and the passwords of URLs masked.
func Dump(lookup LookupFunc) []string {
	lines := make([]string, 0, len(Options))
	for _, opt := range Options {
		value, ok := lookup(opt.Name)
		if !ok || value == "" {
			value = opt.Default
		}
		lines = append(lines, opt.Name+"="+opt.show(value))
	}
	sort.Strings(lines)
	return lines
}

// show returns value in the form that output and error messages print: a
// secret replaced whole, any other value with its passwords masked.
func (opt Option) show(value string) string {
	switch {
	case value == "":
		return ""
	case opt.Secret:
		return "xxxxx"
	}
	return Mask(value)
}

// passwordPattern matches a password=value pair in a query string or a
// key=value connection string.
var passwordPattern = regexp.MustCompile(`(?i)(password=)[^&\s]*`)

// Mask hides passwords in a value: the password of a URL's user part and
// every password=… pair, as in "?password=…" or "host=db password=…".
//
// A password with a %, #, / or space that is not percent-encoded makes the
// URL fail to parse, or parse with the "@" outside the user part. Mask then
// hides everything from the first colon after "://" to the last "@", which
// may hide more than the password.
func Mask(value string) string {
	masked := passwordPattern.ReplaceAllString(value, "${1}xxxxx")
	scheme, rest, ok := strings.Cut(masked, "://")
	if !ok || !strings.Contains(rest, "@") {
		return masked
	}
	if u, err := url.Parse(masked); err == nil && u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
		return masked
	}
	at := strings.LastIndex(rest, "@")
	colon := strings.Index(rest[:at], ":")
	if colon < 0 {
		return masked
	}
	return scheme + "://" + rest[:colon+1] + "xxxxx" + rest[at:]
}

func setDatabaseURL(c *Config, v string) error {
	if strings.Contains(v, "=") && strings.Contains(v, " ") && !strings.Contains(v, "://") {
		return errors.New("key=value connection strings are not supported; use postgres://user:password@host:5432/db")
	}
	if strings.Contains(v, "://") && !strings.HasPrefix(v, "postgres://") &&
		!strings.HasPrefix(v, "postgresql://") && !strings.HasPrefix(v, "sqlite://") {
		return errors.New("use a file path, sqlite:///path or postgres://user:password@host/db")
	}
	if strings.HasPrefix(v, "sqlite://") && strings.TrimPrefix(v, "sqlite://") == "" {
		return errors.New("sqlite:// needs a file path, e.g. sqlite:///var/lib/reelpulse/reelpulse.db")
	}
	if strings.Contains(v, "://") && !strings.HasPrefix(v, "sqlite://") && !validPostgresURL(v) {
		return errors.New("the URL cannot be parsed; percent-encode the special characters of the user name and password " +
			"(% as %25, # as %23, / as %2F, ? as %3F, @ as %40, a space as %20), e.g. postgres://app:p%40ss@db:5432/reelpulse")
	}
	c.DatabaseURL = v
	return nil
}

// validPostgresURL reports whether v parses as a URL with its "@", if any,
// at the end of the user part. A password with an unencoded #, / or ? can
// parse with the "@" in the path, query or fragment.
func validPostgresURL(v string) bool {
	u, err := url.Parse(v)
	if err != nil || strings.Contains(v, "#") {
		return false
	}
	beforeQuery, _, _ := strings.Cut(v, "?")
	return u.User != nil || !strings.Contains(beforeQuery, "@")
}

func setAddr(c *Config, v string) error {
	host, port, err := splitHostPort(v)
	if err != nil {
		return err
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	c.Addr = host + ":" + port
	return nil
}

func setBaseURL(c *Config, v string) error {
	if v == "" {
		c.BaseURL = ""
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("expected the dashboard's public http:// or https:// URL, e.g. https://reelpulse.example.org")
	}
	c.BaseURL = strings.TrimSuffix(v, "/")
	return nil
}

func setTrustedProxies(c *Config, v string) error {
	c.TrustedProxies = nil
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(item)
		if err != nil {
			addr, addrErr := netip.ParseAddr(item)
			if addrErr != nil {
				return fmt.Errorf("%q is neither an IP address nor a CIDR range; expected e.g. 10.0.0.0/8 or 127.0.0.1", item)
			}
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		if prefix.Bits() == 0 {
			return fmt.Errorf("%q trusts every address, so any client could name its own address in X-Forwarded-For; list the proxies' addresses or ranges", item)
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	return nil
}

func splitHostPort(v string) (string, string, error) {
	i := strings.LastIndex(v, ":")
	if i < 0 {
		return "", "", errors.New("expected host:port, e.g. 127.0.0.1:8080")
	}
	return v[:i], v[i+1:], nil
}

func setURL(dst *string, v string) error {
	u, err := url.Parse(v)
	if err != nil {
		// The error of url.Parse quotes the whole URL, password included.
		return errors.New("the URL cannot be parsed; percent-encode special characters, e.g. a space as %20")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("expected an http:// or https:// URL")
	}
	if u.Host == "" {
		return errors.New("URL has no host")
	}
	*dst = strings.TrimSuffix(v, "/")
	return nil
}

// parseFinite parses a decimal number and rejects NaN and the infinities,
// which strconv.ParseFloat accepts. NaN would pass every range check,
// because every comparison with it is false.
func parseFinite(v string) (float64, bool) {
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
}

func setRequestsPerSecond(c *Config, v string) error {
	f, ok := parseFinite(v)
	if !ok {
		return errors.New("expected a decimal number, e.g. 1 or 0.5")
	}
	if f <= 0 || f > 100 {
		return errors.New("must be greater than 0 and at most 100")
	}
	c.RequestsPerSecond = f
	return nil
}

func setAuditRetention(c *Config, v string) error {
	if v == "0" {
		c.AuditRetention = 0
		return nil
	}
	return setDuration(&c.AuditRetention, v, time.Hour)
}

func setDuration(dst *time.Duration, v string, minimum time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return errors.New("expected a Go duration such as 30s, 15m or 1h")
	}
	if d < minimum {
		return fmt.Errorf("must be at least %s", minimum)
	}
	*dst = d
	return nil
}

// LongestJobTimeout is the timeout of the longest job kinds (review passes
// and analyses). REELPULSE_RESCUE_STUCK_AFTER must exceed it, or River would
// retry jobs that are still running.
const LongestJobTimeout = time.Hour

func setRescueStuckAfter(c *Config, v string) error {
	var d time.Duration
	if err := setDuration(&d, v, time.Minute); err != nil {
		return err
	}
	if d <= LongestJobTimeout {
		return fmt.Errorf("must be longer than %s, the longest job timeout, or running jobs would be started twice", LongestJobTimeout)
	}
	c.RescueStuckAfter = d
	return nil
}

func setInt(dst *int, v string, minimum, maximum int) error {
	n, err := strconv.Atoi(v)
	if err != nil {
		return errors.New("expected a whole number")
	}
	if n < minimum || n > maximum {
		return fmt.Errorf("must be from %d to %d", minimum, maximum)
	}
	*dst = n
	return nil
}

func setBrowser(c *Config, v string) error {
	switch v {
	case "auto", "never", "always":
		c.Browser = v
		return nil
	}
	return errors.New("expected auto, never or always")
}

func setAnalyzer(c *Config, v string) error {
	if v == "lexicon" {
		v = "offline"
	}
	if !slices.Contains(Analyzers, v) {
		return fmt.Errorf("expected one of: %s", strings.Join(Analyzers, ", "))
	}
	c.Analyzer = v
	return nil
}

func setLLMBaseURL(c *Config, v string) error {
	if v == "" {
		c.LLM.BaseURL = ""
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("expected an http:// or https:// URL such as http://127.0.0.1:11434/v1/")
	}
	c.LLM.BaseURL = v
	return nil
}

func setBudget(c *Config, v string) error {
	f, ok := parseFinite(v)
	if !ok || f < 0 {
		return errors.New("expected an amount in US dollars of 0 or more, e.g. 5 or 0.50")
	}
	c.LLM.DailyBudgetUSD = f
	return nil
}

// setPrices parses "model=input/output" pairs separated by commas.
func setPrices(c *Config, v string) error {
	prices := map[string]Price{}
	for pair := range strings.SplitSeq(v, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		model, amounts, ok := strings.Cut(pair, "=")
		in, out, ok2 := strings.Cut(amounts, "/")
		model = strings.TrimSpace(model)
		input, ok3 := parseFinite(strings.TrimSpace(in))
		output, ok4 := parseFinite(strings.TrimSpace(out))
		if !ok || !ok2 || !ok3 || !ok4 || model == "" || input < 0 || output < 0 {
			return fmt.Errorf("price %q: expected model=input/output in dollars per million tokens, e.g. gpt-4o-mini=0.15/0.60", pair)
		}
		prices[model] = Price{Input: input, Output: output}
	}
	c.LLM.Prices = prices
	return nil
}

// validate checks the settings that depend on each other.
func (c *Config) validate() error {
	if err := c.validateOIDC(); err != nil {
		return err
	}
	switch c.Analyzer {
	case "openai":
		if c.LLM.OpenAIKey == "" {
			return errors.New("REELPULSE_ANALYZER=openai needs OPENAI_API_KEY; set it, or use REELPULSE_ANALYZER=offline")
		}
	case "gemini":
		if c.LLM.GeminiKey == "" {
			return errors.New("REELPULSE_ANALYZER=gemini needs GEMINI_API_KEY; set it, or use REELPULSE_ANALYZER=offline")
		}
	case "openai-compatible":
		if c.LLM.BaseURL == "" || c.LLM.Model == "" {
			return errors.New("REELPULSE_ANALYZER=openai-compatible needs REELPULSE_LLM_BASE_URL and REELPULSE_LLM_MODEL, e.g. http://127.0.0.1:11434/v1/ and llama3.1")
		}
	}
	return nil
}

// validateOIDC checks that single sign-on has what it needs when it is
// on, and that no setting of it is set while it is off.
func (c *Config) validateOIDC() error {
	o := c.OIDC
	if o.IssuerURL == "" {
		if o.ClientID != "" || o.ClientSecret != "" || len(o.AllowedDomains) > 0 || o.AdminClaim != "" || len(o.AdminValues) > 0 || o.CreateUsers {
			return errors.New("REELPULSE_OIDC_* settings are set but REELPULSE_OIDC_ISSUER_URL is empty; set the provider's issuer URL, or unset them")
		}
		return nil
	}
	switch {
	case o.ClientID == "":
		return errors.New("REELPULSE_OIDC_ISSUER_URL needs REELPULSE_OIDC_CLIENT_ID, the client id that the provider gave reelpulse")
	case c.BaseURL == "":
		return errors.New("REELPULSE_OIDC_ISSUER_URL needs REELPULSE_BASE_URL, the dashboard's public address, from which the callback address " +
			"registered at the provider is made; set it, e.g. https://reelpulse.example.org")
	case o.AdminClaim != "" && len(o.AdminValues) == 0:
		return fmt.Errorf("REELPULSE_OIDC_ADMIN_CLAIM=%s is set but REELPULSE_OIDC_ADMIN_VALUES is missing: set it to the values of the claim that make a user admin, e.g. reelpulse-admins", o.AdminClaim)
	case o.AdminClaim == "" && len(o.AdminValues) > 0:
		return errors.New("REELPULSE_OIDC_ADMIN_VALUES is set but REELPULSE_OIDC_ADMIN_CLAIM is missing: set it to the claim that contains the values, e.g. groups")
	}
	return nil
}

// setOIDCIssuer accepts an https URL, or an http URL of a loopback
// address for tests. The URL is kept as written: it must equal the iss
// claim of the provider's tokens, trailing slash included.
func setOIDCIssuer(c *Config, v string) error {
	c.OIDC.IssuerURL = ""
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return errors.New("expected the provider's https:// issuer URL without query, e.g. https://id.example.org/realms/studio")
	}
	if u.Scheme == "http" && !loopbackHost(u.Hostname()) {
		return errors.New("the issuer must use https, or tokens and the client secret would cross the network in clear; http is accepted only for a loopback address such as 127.0.0.1")
	}
	c.OIDC.IssuerURL = v
	return nil
}

// loopbackHost reports whether host is localhost or a loopback address.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}

func setOIDCName(c *Config, v string) error {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 40 {
		return errors.New("expected the provider's name for the sign-in button, 1 to 40 characters, e.g. Google")
	}
	c.OIDC.DisplayName = v
	return nil
}

// domainPattern matches a DNS name of at least two labels.
var domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func setOIDCAllowedDomains(c *Config, v string) error {
	c.OIDC.AllowedDomains = nil
	for item := range strings.SplitSeq(v, ",") {
		domain := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(item), "@"))
		if domain == "" {
			continue
		}
		if !domainPattern.MatchString(domain) {
			return fmt.Errorf("%q is not an email domain; expected names such as studio.example, separated by commas", item)
		}
		if !slices.Contains(c.OIDC.AllowedDomains, domain) {
			c.OIDC.AllowedDomains = append(c.OIDC.AllowedDomains, domain)
		}
	}
	return nil
}

func setOIDCAdminValues(c *Config, v string) error {
	c.OIDC.AdminValues = nil
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			c.OIDC.AdminValues = append(c.OIDC.AdminValues, item)
		}
	}
	return nil
}

func setBackupTarget(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "s3" && u.Scheme != "file") || (u.Scheme == "s3" && u.Host == "") || (u.Scheme == "file" && u.Path == "") {
		return fmt.Errorf("use s3://bucket/prefix or file:///directory")
	}
	c.Backup.Target = v
	return nil
}

func setS3Endpoint(c *Config, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("use an http or https URL without a path, e.g. http://127.0.0.1:9000")
	}
	c.Backup.S3Endpoint = v
	return nil
}

func setS3SSE(c *Config, v string) error {
	switch v {
	case "", "AES256", "aws:kms":
		c.Backup.S3SSE = v
		return nil
	}
	return fmt.Errorf("use AES256, aws:kms or nothing")
}

func setBool(dst *bool, v string) error {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return fmt.Errorf("use true or false")
	}
	*dst = b
	return nil
}

func setLogLevel(c *Config, v string) error {
	if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
		return errors.New("expected debug, info, warn or error")
	}
	return nil
}

func setLogFormat(c *Config, v string) error {
	if v != "text" && v != "json" {
		return errors.New("expected text or json")
	}
	c.LogFormat = v
	return nil
}
