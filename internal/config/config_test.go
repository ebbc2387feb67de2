package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/testutil"
)

func lookupMap(m map[string]string) LookupFunc {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(lookupMap(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.DatabaseURL != "reelpulse.db" {
		t.Errorf("DatabaseURL = %q, want reelpulse.db", cfg.DatabaseURL)
	}
	if cfg.Addr != "127.0.0.1:8080" {
		t.Errorf("Addr = %q", cfg.Addr)
	}
	if cfg.IMDbBaseURL != "https://www.imdb.com" {
		t.Errorf("IMDbBaseURL = %q", cfg.IMDbBaseURL)
	}
	if cfg.CheckInterval != time.Hour || cfg.FullSyncInterval != 24*time.Hour {
		t.Errorf("intervals = %s, %s", cfg.CheckInterval, cfg.FullSyncInterval)
	}
	if cfg.SyncWorkers != 5 {
		t.Errorf("SyncWorkers = %d, want 5", cfg.SyncWorkers)
	}
	if cfg.CheckWorkers != 8 || cfg.AnalyzeWorkers != 2 || cfg.ConcurrentPerHost != 2 {
		t.Errorf("CheckWorkers, AnalyzeWorkers, ConcurrentPerHost = %d, %d, %d; want 8, 2, 2", cfg.CheckWorkers, cfg.AnalyzeWorkers, cfg.ConcurrentPerHost)
	}
	if cfg.ParkAfterFailures != 5 {
		t.Errorf("ParkAfterFailures = %d, want 5", cfg.ParkAfterFailures)
	}
	if cfg.RescueStuckAfter != 70*time.Minute || cfg.RescueStuckAfter <= LongestJobTimeout {
		t.Errorf("RescueStuckAfter = %s, want 1h10m, longer than %s", cfg.RescueStuckAfter, LongestJobTimeout)
	}
	if cfg.ShutdownTimeout != 30*time.Second {
		t.Errorf("ShutdownTimeout = %s, want 30s", cfg.ShutdownTimeout)
	}
	if cfg.IsPostgres() {
		t.Error("default database reported as PostgreSQL")
	}
}

func TestLoadInvalidNamesVariable(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"REELPULSE_ADDR", "8080", "REELPULSE_ADDR"},
		{"REELPULSE_ADDR", "localhost:http", "port"},
		{"REELPULSE_IMDB_BASE_URL", "ftp://example.com", "http://"},
		{"REELPULSE_REQUESTS_PER_SECOND", "0", "greater than 0"},
		{"REELPULSE_HTTP_TIMEOUT", "30", "Go duration"},
		{"REELPULSE_SYNC_WORKERS", "0", "from 1 to 100"},
		{"REELPULSE_CHECK_WORKERS", "101", "from 1 to 100"},
		{"REELPULSE_ANALYZE_WORKERS", "two", "whole number"},
		{"REELPULSE_PARK_AFTER_FAILURES", "0", "from 1 to 1000"},
		{"REELPULSE_RESCUE_STUCK_AFTER", "1h", "longer than 1h0m0s"},
		{"REELPULSE_RESCUE_STUCK_AFTER", "soon", "Go duration"},
		{"REELPULSE_SHUTDOWN_TIMEOUT", "500ms", "at least 1s"},
		{"REELPULSE_LOG_LEVEL", "loud", "REELPULSE_LOG_LEVEL"},
		{"REELPULSE_LOG_FORMAT", "xml", "text or json"},
		{"REELPULSE_ANALYZER", "magic", "openai-compatible"},
		{"REELPULSE_LLM_BASE_URL", "localhost:11434", "http://"},
		{"REELPULSE_LLM_DAILY_BUDGET_USD", "-1", "0 or more"},
		{"REELPULSE_LLM_PRICES", "gpt-4o-mini=0.15", "model=input/output"},
		{"REELPULSE_LLM_PRICES", "m=NaN/1", "model=input/output"},
		{"REELPULSE_LLM_PRICES", "m=1/-2", "model=input/output"},
		{"REELPULSE_LLM_BATCH_SIZE", "0", "from 1 to 50"},
		{"DATABASE_URL", "mysql://u:secret@h/db", "postgres://"},
		{"REELPULSE_TRUSTED_PROXIES", "10.0.0.0/8,proxy.internal", `"proxy.internal"`},
		{"REELPULSE_TRUSTED_PROXIES", "10.0.0.0/33", "CIDR range"},
		{"REELPULSE_TRUSTED_PROXIES", "0.0.0.0/0", "trusts every address"},
		{"REELPULSE_TRUSTED_PROXIES", "10.0.0.0/8,::/0", "trusts every address"},
		{"REELPULSE_AUDIT_RETENTION", "30m", "at least 1h"},
		{"REELPULSE_AUDIT_RETENTION", "1y", "Go duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := Load(lookupMap(map[string]string{tt.name: tt.value}))
			if err == nil {
				t.Fatal("Load accepted an invalid value")
			}
			if !strings.Contains(err.Error(), tt.name) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %s and %q", err, tt.name, tt.want)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q shows a password", err)
			}
		})
	}
}

func TestLoadReportsEveryInvalidValue(t *testing.T) {
	_, err := Load(lookupMap(map[string]string{"REELPULSE_ADDR": "x", "REELPULSE_LOG_FORMAT": "y"}))
	if err == nil || !strings.Contains(err.Error(), "REELPULSE_ADDR") || !strings.Contains(err.Error(), "REELPULSE_LOG_FORMAT") {
		t.Fatalf("error %v does not list both variables", err)
	}
}

func TestDumpMasksPassword(t *testing.T) {
	lines := Dump(lookupMap(map[string]string{"DATABASE_URL": "postgres://app:s3cret@db:5432/reelpulse"}))
	joined := strings.Join(lines, "\n")
	if strings.Contains(joined, "s3cret") {
		t.Fatalf("dump shows the password:\n%s", joined)
	}
	if !strings.Contains(joined, "DATABASE_URL=postgres://app:xxxxx@db:5432/reelpulse") {
		t.Errorf("dump lacks the masked URL:\n%s", joined)
	}
}

// Dump and the errors of Load hide the password of every URL, also of a
// URL that does not parse. File paths are shown in full.
func TestDumpAndErrorsMaskPasswords(t *testing.T) {
	tests := []struct {
		name, value string
		dumped      string // the value as Dump prints it
		invalid     bool   // Load must reject the value
	}{
		{"DATABASE_URL", "reelpulse.db", "reelpulse.db", false},
		{"DATABASE_URL", "/tmp/x.db", "/tmp/x.db", false},
		{"DATABASE_URL", "sqlite:///var/lib/reelpulse/reelpulse.db", "sqlite:///var/lib/reelpulse/reelpulse.db", false},
		{"DATABASE_URL", "postgres://u:s3cret@127.0.0.1:1/db", "postgres://u:xxxxx@127.0.0.1:1/db", false},
		{"DATABASE_URL", "postgres://u:s3c%25ret@127.0.0.1:1/db", "postgres://u:xxxxx@127.0.0.1:1/db", false},
		{"DATABASE_URL", "postgres://u:sec%ret@127.0.0.1:1/db", "postgres://u:xxxxx@127.0.0.1:1/db", true},
		{"DATABASE_URL", "postgres://u:sec#ret@127.0.0.1:1/db", "postgres://u:xxxxx@127.0.0.1:1/db", true},
		{"DATABASE_URL", "postgres://u:1#secret@127.0.0.1:1/db", "postgres://u:xxxxx@127.0.0.1:1/db", true},
		{"DATABASE_URL", "postgres://u:sec ret@127.0.0.1:1/db", "postgres://u:xxxxx@127.0.0.1:1/db", true},
		{"DATABASE_URL", "postgres://u:12/secret@127.0.0.1:1/db", "postgres://u:xxxxx@127.0.0.1:1/db", true},
		{"DATABASE_URL", "mysql://u:secret@h/db", "mysql://u:xxxxx@h/db", true},
		{"REELPULSE_LLM_BASE_URL", "http://u:secret@127.0.0.1:11434/v1/", "http://u:xxxxx@127.0.0.1:11434/v1/", false},
		{"REELPULSE_LLM_BASE_URL", "http://u:sec%ret@127.0.0.1:11434/v1/", "http://u:xxxxx@127.0.0.1:11434/v1/", true},
		{"REELPULSE_S3_ENDPOINT", "http://key:secret@127.0.0.1:9000", "http://key:xxxxx@127.0.0.1:9000", false},
		{"REELPULSE_IMDB_BASE_URL", "http://u:secret@127.0.0.1:8081", "http://u:xxxxx@127.0.0.1:8081", false},
		{"REELPULSE_IMDB_BASE_URL", "http://u:sec%ret@127.0.0.1:8081", "http://u:xxxxx@127.0.0.1:8081", true},
		{"REELPULSE_IMDB_GRAPHQL_URL", "ftp://u:secret@127.0.0.1/", "ftp://u:xxxxx@127.0.0.1/", true},
		{"REELPULSE_BACKUP_TARGET", "s3://key:secret@bucket/prefix", "s3://key:xxxxx@bucket/prefix", false},
		{"REELPULSE_BACKUP_TARGET", "s3://key:sec ret@bucket/prefix", "s3://key:xxxxx@bucket/prefix", true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			lookup := lookupMap(map[string]string{tt.name: tt.value})
			joined := strings.Join(Dump(lookup), "\n")
			if !slices.Contains(Dump(lookup), tt.name+"="+tt.dumped) {
				t.Errorf("dump lacks %s=%s:\n%s", tt.name, tt.dumped, joined)
			}
			_, err := Load(lookup)
			if tt.invalid != (err != nil) {
				t.Fatalf("Load error = %v, want an error: %t", err, tt.invalid)
			}
			for _, printed := range []string{joined, fmt.Sprint(err)} {
				if strings.Contains(printed, "secret") || strings.Contains(printed, "sec%ret") || strings.Contains(printed, "%re") {
					t.Errorf("output shows the password: %s", printed)
				}
			}
			if err != nil && !strings.Contains(err.Error(), tt.name) {
				t.Errorf("error %q does not name %s", err, tt.name)
			}
		})
	}
}

// strconv.ParseFloat accepts NaN and Inf. NaN fails no range check,
// because every comparison with it is false.
func TestLoadRejectsNaNAndInf(t *testing.T) {
	tests := []struct{ name, value string }{
		{"REELPULSE_REQUESTS_PER_SECOND", "NaN"},
		{"REELPULSE_REQUESTS_PER_SECOND", "nan"},
		{"REELPULSE_REQUESTS_PER_SECOND", "Inf"},
		{"REELPULSE_REQUESTS_PER_SECOND", "-Inf"},
		{"REELPULSE_REQUESTS_PER_SECOND", "0"},
		{"REELPULSE_REQUESTS_PER_SECOND", "-1"},
		{"REELPULSE_LLM_DAILY_BUDGET_USD", "NaN"},
		{"REELPULSE_LLM_DAILY_BUDGET_USD", "+Inf"},
		{"REELPULSE_LLM_PRICES", "m=NaN/1"},
		{"REELPULSE_LLM_PRICES", "m=1/Infinity"},
	}
	for _, tt := range tests {
		if _, err := Load(lookupMap(map[string]string{tt.name: tt.value})); err == nil || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("Load(%s=%s) = %v, want an error naming %s", tt.name, tt.value, err, tt.name)
		}
	}
	cfg, err := Load(lookupMap(map[string]string{"REELPULSE_REQUESTS_PER_SECOND": "0.5", "REELPULSE_LLM_DAILY_BUDGET_USD": "2.5"}))
	if err != nil || cfg.RequestsPerSecond != 0.5 || cfg.LLM.DailyBudgetUSD != 2.5 {
		t.Errorf("Load of finite values = %+v, %v", cfg, err)
	}
}

func TestDumpHidesKeys(t *testing.T) {
	secrets := map[string]string{
		"OPENAI_API_KEY":        "sk-test-0123456789",
		"GEMINI_API_KEY":        "AIza-test-0123456789",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI-test",
		"AWS_SESSION_TOKEN":     "FwoGZXIvYXdzE-test",
	}
	joined := strings.Join(Dump(lookupMap(secrets)), "\n")
	for name, value := range secrets {
		if strings.Contains(joined, value) {
			t.Errorf("dump shows %s in clear:\n%s", name, joined)
		}
		if !strings.Contains(joined, name+"=xxxxx") {
			t.Errorf("dump lacks the line %s=xxxxx", name)
		}
	}
	if !strings.Contains(joined, "AWS_ACCESS_KEY_ID=\n") && !strings.HasSuffix(joined, "AWS_ACCESS_KEY_ID=") {
		t.Errorf("dump shows an unset key as something else than empty:\n%s", joined)
	}
}

func TestEnvLookupPrefersEnvironment(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	content := "REELPULSE_ADDR=127.0.0.1:9999\nREELPULSE_LOG_FORMAT=json\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REELPULSE_LOG_FORMAT", "text")

	lookup, err := EnvLookup(path)
	if err != nil {
		t.Fatalf("EnvLookup: %v", err)
	}
	cfg, err := Load(lookup)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Addr != "127.0.0.1:9999" {
		t.Errorf("Addr = %q, want the .env value", cfg.Addr)
	}
	if cfg.LogFormat != "text" {
		t.Errorf("LogFormat = %q, want the environment value", cfg.LogFormat)
	}
}

func TestEnvLookupMissingFile(t *testing.T) {
	if _, err := EnvLookup(filepath.Join(t.TempDir(), "absent.env")); err != nil {
		t.Fatalf("a missing .env file should be ignored: %v", err)
	}
}

// The configuration page must document every option with its default.
func TestDocumentationListsEveryOption(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "docs", "configuration.md"))
	if err != nil {
		t.Fatalf("read docs/configuration.md: %v", err)
	}
	for _, opt := range Options {
		if !strings.Contains(string(doc), "`"+opt.Name+"`") {
			t.Errorf("docs/configuration.md does not document %s", opt.Name)
		}
		if !strings.Contains(string(doc), opt.Default) {
			t.Errorf("docs/configuration.md does not show the default of %s (%q)", opt.Name, opt.Default)
		}
	}
}

func TestUnknownVariables(t *testing.T) {
	got := UnknownVariables([]string{"PATH", "REELPULSE_ADDR", "REELPULSE_CHEK_INTERVAL", "REELPULSE_CHEK_INTERVAL", "DATABASE_URL", "REELPULSE_TEST_DATABASE_URL", "REELPULSE_LOG_LEVL"})
	want := []string{"REELPULSE_CHEK_INTERVAL", "REELPULSE_LOG_LEVL"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("UnknownVariables = %v, want %v", got, want)
	}
}

func TestMaskHidesEveryPassword(t *testing.T) {
	tests := map[string]string{
		"postgres://app:s3cret@db:5432/reelpulse":         "postgres://app:xxxxx@db:5432/reelpulse",
		"postgres://app@db/reelpulse?password=s3cret&x=1": "postgres://app@db/reelpulse?password=xxxxx&x=1",
		"host=db password=s3cret dbname=reelpulse":        "host=db password=xxxxx dbname=reelpulse",
		"reelpulse.db": "reelpulse.db",
	}
	for in, want := range tests {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadTrustedProxies(t *testing.T) {
	cfg, err := Load(lookupMap(map[string]string{"REELPULSE_TRUSTED_PROXIES": " 10.1.2.3/8, 127.0.0.1 ,::1,,"}))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "127.0.0.1/32", "::1/128"}
	var got []string
	for _, p := range cfg.TrustedProxies {
		got = append(got, p.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("TrustedProxies = %v, want %v", got, want)
	}
}

func TestDefaultIMDbURLsLeft(t *testing.T) {
	replay := map[string]string{
		"REELPULSE_IMDB_BASE_URL":    "http://127.0.0.1:8081",
		"REELPULSE_IMDB_GRAPHQL_URL": "http://127.0.0.1:8081/graphql",
		"REELPULSE_IMDB_SUGGEST_URL": "http://127.0.0.1:8081/suggestion",
	}
	tests := []struct {
		name string
		set  []string
		want []string
	}{
		{"none changed", nil, nil},
		{"all changed", []string{"REELPULSE_IMDB_BASE_URL", "REELPULSE_IMDB_GRAPHQL_URL", "REELPULSE_IMDB_SUGGEST_URL"}, nil},
		{"search left", []string{"REELPULSE_IMDB_BASE_URL", "REELPULSE_IMDB_GRAPHQL_URL"}, []string{"REELPULSE_IMDB_SUGGEST_URL"}},
		{"only the pages changed", []string{"REELPULSE_IMDB_BASE_URL"}, []string{"REELPULSE_IMDB_GRAPHQL_URL", "REELPULSE_IMDB_SUGGEST_URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for _, name := range tt.set {
				env[name] = replay[name]
			}
			cfg, err := Load(lookupMap(env))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.DefaultIMDbURLsLeft(); !slices.Equal(got, tt.want) {
				t.Errorf("DefaultIMDbURLsLeft = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCustomIMDbURLs(t *testing.T) {
	cfg, err := Load(lookupMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.CustomIMDbURLs(); len(got) != 0 {
		t.Errorf("defaults reported as custom: %v", got)
	}

	cfg, err = Load(lookupMap(map[string]string{"REELPULSE_IMDB_BASE_URL": "http://127.0.0.1:8081/"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.CustomIMDbURLs(); len(got) != 1 || got[0] != "http://127.0.0.1:8081" {
		t.Errorf("CustomIMDbURLs = %v, want the changed base URL", got)
	}
}

// An LLM analyzer needs its key, or its server and model, at start rather
// than at the first review.
func TestLoadAnalyzerNeeds(t *testing.T) {
	tests := []struct {
		vars map[string]string
		want string // empty when Load must succeed
	}{
		{map[string]string{"REELPULSE_ANALYZER": "lexicon"}, ""},
		{map[string]string{"REELPULSE_ANALYZER": "openai"}, "OPENAI_API_KEY"},
		{map[string]string{"REELPULSE_ANALYZER": "openai", "OPENAI_API_KEY": "sk-test-secret"}, ""},
		{map[string]string{"REELPULSE_ANALYZER": "gemini", "OPENAI_API_KEY": "sk-test-secret"}, "GEMINI_API_KEY"},
		{map[string]string{"REELPULSE_ANALYZER": "openai-compatible", "REELPULSE_LLM_MODEL": "llama3.1"}, "REELPULSE_LLM_BASE_URL"},
		{map[string]string{"REELPULSE_ANALYZER": "openai-compatible", "REELPULSE_LLM_MODEL": "llama3.1", "REELPULSE_LLM_BASE_URL": "http://127.0.0.1:11434/v1/"}, ""},
	}
	for _, tt := range tests {
		cfg, err := Load(lookupMap(tt.vars))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Load(%v): %v", tt.vars, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Load(%v) = %v, want an error naming %s", tt.vars, err, tt.want)
		case err != nil && strings.Contains(err.Error(), "sk-test-secret"):
			t.Errorf("error %q shows an API key", err)
		case err == nil && cfg.Analyzer == "lexicon":
			t.Errorf("Analyzer = lexicon, want it normalised to offline")
		}
	}
}

func TestLoadPrices(t *testing.T) {
	cfg, err := Load(lookupMap(map[string]string{"REELPULSE_LLM_PRICES": "gpt-4o-mini=0.15/0.60, my-model = 1/2.5"}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := map[string]Price{"gpt-4o-mini": {0.15, 0.60}, "my-model": {1, 2.5}}
	if !reflect.DeepEqual(cfg.LLM.Prices, want) {
		t.Errorf("Prices = %v, want %v", cfg.LLM.Prices, want)
	}
}
