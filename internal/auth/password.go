// Package auth holds the building blocks of reelpulse's accounts: argon2id
// password hashes, random session ids and API tokens with their SHA-256
// hashes, and the sign-in throttle. It stores nothing itself; the store's
// Accounts interface does.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters of a password hash.
type Params struct {
	Memory      uint32 // KiB
	Iterations  uint32
	Parallelism uint8
	SaltLength  uint32 // bytes
	KeyLength   uint32 // bytes
}

// DefaultParams are the parameters of new hashes: the minimum configuration
// that OWASP's Password Storage Cheat Sheet recommends for argon2id, 19 MiB
// of memory, 2 iterations and 1 degree of parallelism
// (https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html,
// read in its markdown source in the OWASP/CheatSheetSeries repository),
// with a 16-byte salt and a 32-byte key. docs/benchmarks.md records how
// long one hash takes.
var DefaultParams = Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Password length limits, in characters. The maximum bounds the work an
// unauthenticated sign-in can ask for.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 1024
)

// ErrMalformedHash is returned (wrapped) for a stored hash that is not an
// argon2id PHC string within the accepted parameter ranges.
var ErrMalformedHash = errors.New("malformed password hash")

// Bounds of the parameters that a stored hash may carry, so that a
// corrupted or hostile row cannot make a verification allocate gigabytes.
const (
	maxMemory     = 1 << 20 // 1 GiB in KiB
	maxIterations = 64
	minSalt       = 8
	maxSalt       = 64
	minKey        = 16
	maxKey        = 64
)

// phcEncoding is the base64 of PHC strings: standard alphabet, no padding,
// and no stray bits, so that each hash has one spelling.
var phcEncoding = base64.RawStdEncoding.Strict()

// CheckPassword returns an error with the password's length when it is
// too short or too long. The error never includes the password.
func CheckPassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return fmt.Errorf("password has %d characters; use at least %d", n, MinPasswordLength)
	case n > MaxPasswordLength:
		return fmt.Errorf("password has %d characters; use at most %d", n, MaxPasswordLength)
	}
	return nil
}

// HashPassword checks password with CheckPassword and returns its argon2id
// hash with DefaultParams and a random salt, as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>.
func HashPassword(password string) (string, error) {
	if err := CheckPassword(password); err != nil {
		return "", err
	}
	return hashWith(password, DefaultParams), nil
}

func hashWith(password string, p Params) string {
	salt := make([]byte, p.SaltLength)
	_, _ = rand.Read(salt) // crypto/rand.Read does not fail
	return formatPHC(p, salt, deriveKey(password, salt, p))
}

// keySlots bounds the argon2id computations that run at once. Each takes
// Params.Memory (19 MiB by default), so without a bound a burst of
// sign-in requests could take gigabytes. More than one per CPU would not
// finish sooner.
var keySlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))

// deriveKey computes the argon2id key of password, waiting for a free slot
// of keySlots first.
func deriveKey(password string, salt []byte, p Params) []byte {
	keySlots <- struct{}{}
	defer func() { <-keySlots }()
	return argon2.IDKey([]byte(password), salt, p.Iterations, p.Memory, p.Parallelism, p.KeyLength)
}

func formatPHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.Memory, p.Iterations, p.Parallelism, phcEncoding.EncodeToString(salt), phcEncoding.EncodeToString(key))
}

// VerifyPassword reports whether password matches the encoded hash. The
// comparison takes the same time wherever the keys differ. A hash that
// cannot be parsed is an error wrapping ErrMalformedHash.
func VerifyPassword(encoded, password string) (bool, error) {
	p, salt, key, err := parsePHC(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > 4*MaxPasswordLength {
		return false, nil
	}
	got := deriveKey(password, salt, p)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// dummyHash is the hash that VerifyNoUser checks against, so that a
// sign-in with an unknown name takes as long as one with a wrong password.
var dummyHash = sync.OnceValue(func() string {
	return hashWith("reelpulse dummy password", DefaultParams)
})

// VerifyNoUser spends the time of one VerifyPassword and returns false. Call
// it when the account does not exist, so that response times do not tell
// which names are taken.
func VerifyNoUser(password string) bool {
	_, _ = VerifyPassword(dummyHash(), password)
	return false
}

// NeedsRehash reports whether the encoded hash should be replaced at the
// next successful sign-in: it uses other parameters than DefaultParams or
// cannot be parsed.
func NeedsRehash(encoded string) bool {
	p, salt, _, err := parsePHC(encoded)
	if err != nil {
		return true
	}
	return p != DefaultParams || uint32(len(salt)) != DefaultParams.SaltLength
}

// parsePHC splits an argon2id PHC string into its parameters, salt and
// key. It accepts only the canonical spelling that formatPHC writes.
func parsePHC(encoded string) (Params, []byte, []byte, error) {
	fail := func(format string, args ...any) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
	}

	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("want 5 fields separated by $, like $argon2id$v=19$m=19456,t=2,p=1$salt$key")
	}
	if parts[1] != "argon2id" {
		return fail("algorithm %q, want argon2id", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("version %q, want v=%d", parts[2], argon2.Version)
	}

	values := strings.Split(parts[3], ",")
	if len(values) != 3 {
		return fail("parameters %q, want m=…,t=…,p=…", parts[3])
	}
	var numbers [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		text, ok := strings.CutPrefix(values[i], name+"=")
		if !ok || text == "" || (len(text) > 1 && text[0] == '0') {
			return fail("parameters %q, want m=…,t=…,p=… in decimal", parts[3])
		}
		n, err := strconv.ParseUint(text, 10, 32)
		if err != nil {
			return fail("parameter %s=%q is not a number", name, text)
		}
		numbers[i] = n
	}
	memory, iterations, parallelism := numbers[0], numbers[1], numbers[2]
	switch {
	case parallelism < 1 || parallelism > 255:
		return fail("parallelism %d, want 1 to 255", parallelism)
	case iterations < 1 || iterations > maxIterations:
		return fail("iterations %d, want 1 to %d", iterations, maxIterations)
	case memory < 8*parallelism || memory > maxMemory:
		return fail("memory %d KiB, want %d to %d", memory, 8*parallelism, maxMemory)
	}

	salt, ok := decodeB64(parts[4])
	if !ok || len(salt) < minSalt || len(salt) > maxSalt {
		return fail("salt must be %d to %d bytes of unpadded base64", minSalt, maxSalt)
	}
	key, ok := decodeB64(parts[5])
	if !ok || len(key) < minKey || len(key) > maxKey {
		return fail("key must be %d to %d bytes of unpadded base64", minKey, maxKey)
	}

	p := Params{
		Memory: uint32(memory), Iterations: uint32(iterations), Parallelism: uint8(parallelism),
		SaltLength: uint32(len(salt)), KeyLength: uint32(len(key)),
	}
	return p, salt, key, nil
}

// decodeB64 decodes text in phcEncoding, rejecting the line breaks that the
// decoder would skip, so that only the canonical spelling is accepted.
func decodeB64(text string) ([]byte, bool) {
	b, err := phcEncoding.DecodeString(text)
	if err != nil || phcEncoding.EncodeToString(b) != text {
		return nil, false
	}
	return b, true
}
