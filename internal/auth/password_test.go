package auth

import (
	"errors"
	"strings"
	"testing"
)

// Hashes written by the reference argon2 implementation (Debian's argon2
// command, `argon2 somesalt16bytes! -id -t 2 -k 19456 -p 1 -l 32 -e` with
// the password on stdin), so that the format and the derivation are checked
// against code other than this package's.
const (
	referencePassword = "correct horse battery staple"
	referenceDefault  = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$W2/hNMtQKxyFQI3cOFyMdL9hfH0kK/3DKouGLtcZUyw"
	referenceM16384   = "$argon2id$v=19$m=16384,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$QKNPIhzIvzdjE06Zwii16DDAYEOLUtoe2VnJpyZToV4"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name     string
		password string
		wantErr  string
	}{
		{"empty", "", "password has 0 characters; use at least 12"},
		{"eleven", "abcdefghijk", "password has 11 characters; use at least 12"},
		{"twelve", "abcdefghijkl", ""},
		{"twelve accented letters, 24 bytes", strings.Repeat("é", 12), ""},
		{"eleven accented letters, 22 bytes", strings.Repeat("é", 11), "password has 11 characters"},
		{"longest", strings.Repeat("a", MaxPasswordLength), ""},
		{"too long", strings.Repeat("a", MaxPasswordLength+1), "password has 1025 characters; use at most 1024"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.password)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			case err != nil && tt.password != "" && strings.Contains(err.Error(), tt.password):
				t.Errorf("error %q contains the password", err)
			}
		})
	}

	if _, err := HashPassword("short"); err == nil {
		t.Errorf("HashPassword accepted a 5-character password")
	}
}

func TestHashPassword(t *testing.T) {
	first, err := HashPassword(referencePassword)
	if err != nil {
		t.Fatal(err)
	}
	second, _ := HashPassword(referencePassword)
	if !strings.HasPrefix(first, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not use the default parameters", first)
	}
	if first == second {
		t.Errorf("two hashes of one password are equal: the salt is not random")
	}
	if strings.Contains(first, referencePassword) {
		t.Errorf("hash contains the password")
	}
	if NeedsRehash(first) {
		t.Errorf("a new hash needs rehashing")
	}

	tests := []struct {
		name     string
		hash     string
		password string
		want     bool
	}{
		{"own hash", first, referencePassword, true},
		{"own hash, wrong password", first, referencePassword + "!", false},
		{"reference hash", referenceDefault, referencePassword, true},
		{"reference hash, other parameters", referenceM16384, referencePassword, true},
		{"reference hash, wrong password", referenceDefault, "Correct horse battery staple", false},
		{"empty password", referenceDefault, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VerifyPassword(tt.hash, tt.password)
			if err != nil || got != tt.want {
				t.Errorf("VerifyPassword = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}

	if VerifyNoUser(referencePassword) {
		t.Errorf("VerifyNoUser returned true")
	}
}

func TestParsePHC(t *testing.T) {
	const salt, key = "c29tZXNhbHQxNmJ5dGVzIQ", "W2/hNMtQKxyFQI3cOFyMdL9hfH0kK/3DKouGLtcZUyw"
	tests := []struct {
		name    string
		hash    string
		wantErr string
	}{
		{"reference", referenceDefault, ""},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key, `algorithm "argon2i"`},
		{"old version", "$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key, `version "v=16"`},
		{"no version", "$argon2id$m=19456,t=2,p=1$" + salt + "$" + key, "want 5 fields"},
		{"extra field", referenceDefault + "$x", "want 5 fields"},
		{"text before", "x" + referenceDefault, "want 5 fields"},
		{"parameters reordered", "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + key, "in decimal"},
		{"leading zero", "$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + key, "in decimal"},
		{"plus sign", "$argon2id$v=19$m=+19456,t=2,p=1$" + salt + "$" + key, "not a number"},
		{"fourth parameter", "$argon2id$v=19$m=19456,t=2,p=1,k=1$" + salt + "$" + key, "want m=…,t=…,p=…"},
		{"no parallelism", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key, "parallelism 0"},
		{"parallelism over 255", "$argon2id$v=19$m=19456,t=2,p=256$" + salt + "$" + key, "parallelism 256"},
		{"no iterations", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key, "iterations 0"},
		{"too many iterations", "$argon2id$v=19$m=19456,t=65,p=1$" + salt + "$" + key, "iterations 65"},
		{"too little memory", "$argon2id$v=19$m=15,t=2,p=2$" + salt + "$" + key, "memory 15 KiB"},
		{"too much memory", "$argon2id$v=19$m=1048577,t=2,p=1$" + salt + "$" + key, "memory 1048577 KiB"},
		{"memory over 32 bits", "$argon2id$v=19$m=4294967296,t=2,p=1$" + salt + "$" + key, "not a number"},
		{"padded salt", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key, "salt"},
		{"short salt", "$argon2id$v=19$m=19456,t=2,p=1$c29tZQ$" + key, "salt"},
		{"base64url key", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + strings.ReplaceAll(key, "/", "_"), "key"},
		{"stray bits in the key", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key[:len(key)-1] + "x", "key"},
		{"short key", "$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$c29tZXNhbHQ", "key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, gotSalt, gotKey, err := parsePHC(tt.hash)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if back := formatPHC(p, gotSalt, gotKey); back != tt.hash {
					t.Errorf("formatted again as %q, want %q", back, tt.hash)
				}
				return
			}
			if !errors.Is(err, ErrMalformedHash) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want ErrMalformedHash mentioning %q", err, tt.wantErr)
			}
			if _, verr := VerifyPassword(tt.hash, referencePassword); !errors.Is(verr, ErrMalformedHash) {
				t.Errorf("VerifyPassword error %v, want ErrMalformedHash", verr)
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	tests := []struct {
		name string
		hash string
		want bool
	}{
		{"default parameters", referenceDefault, false},
		{"less memory", referenceM16384, true},
		{"more iterations", hashWith(referencePassword, Params{Memory: 19456, Iterations: 3, Parallelism: 1, SaltLength: 16, KeyLength: 32}), true},
		{"shorter key", hashWith(referencePassword, Params{Memory: 19456, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 16}), true},
		{"shorter salt", hashWith(referencePassword, Params{Memory: 19456, Iterations: 2, Parallelism: 1, SaltLength: 8, KeyLength: 32}), true},
		{"malformed", "$2y$10$abcdefghijklmnopqrstuv", true},
		{"empty", "", true},
	}
	for _, tt := range tests {
		if got := NeedsRehash(tt.hash); got != tt.want {
			t.Errorf("%s: NeedsRehash = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// FuzzParsePHC checks that the parser never panics, that whatever it
// accepts stays within the bounds that keep verification affordable, and
// that it accepts only the one spelling that formatPHC writes.
func FuzzParsePHC(f *testing.F) {
	f.Add(referenceDefault)
	f.Add(referenceM16384)
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$c29tZXNhbHQxNmJ5dGVzIQ")
	f.Add("$argon2id$v=19$m=019456,t=2,p=1$$")
	f.Add("$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQxNmJ5dGVzIQ$W2/hNMtQKxyFQI3cOFyMdL9hfH0kK/3DKouGLtcZUyw")
	f.Fuzz(func(t *testing.T, encoded string) {
		p, salt, key, err := parsePHC(encoded)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("error %v does not wrap ErrMalformedHash", err)
			}
			return
		}
		if p.Memory > maxMemory || p.Iterations > maxIterations || p.Parallelism == 0 ||
			len(salt) < minSalt || len(salt) > maxSalt || len(key) < minKey || len(key) > maxKey {
			t.Fatalf("accepted out-of-bounds parameters %+v, salt %d bytes, key %d bytes", p, len(salt), len(key))
		}
		if back := formatPHC(p, salt, key); back != encoded {
			t.Fatalf("accepted %q, which formats as %q", encoded, back)
		}
	})
}

// BenchmarkHashPassword measures one hash with DefaultParams, the cost of
// a sign-in and of `reelpulse users add`.
func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := HashPassword(referencePassword); err != nil {
			b.Fatal(err)
		}
	}
}
