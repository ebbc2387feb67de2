package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every API token, so that secret scanners and people
// can recognise one in a file or a log.
const TokenPrefix = "rp_"

// secretBytes is the randomness in a session id or API token: 256 bits.
const secretBytes = 32

// tokenLength is the length of an API token: the prefix and 32 bytes in
// unpadded base64url.
var tokenLength = len(TokenPrefix) + base64.RawURLEncoding.EncodedLen(secretBytes)

// displayedTokenChars is how much of a token after its prefix lists show:
// enough to tell tokens apart, far too little to guess the rest.
const displayedTokenChars = 6

func randomText() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewSessionID returns a new random session id, 32 bytes in unpadded
// base64url. Give it to the browser and store only HashSecret of it.
func NewSessionID() string {
	return randomText()
}

// NewAPIToken returns a new random API token, TokenPrefix followed by 32
// bytes in unpadded base64url. Show it once and store only HashSecret of
// it and TokenDisplayPrefix.
func NewAPIToken() string {
	return TokenPrefix + randomText()
}

// HashSecret returns the hex SHA-256 of a session id or API token, the form
// in which the store keeps them. A fast hash suffices: the secrets are 256
// random bits, not passwords a person chose.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// TokenDisplayPrefix returns the start of the token that lists show, such
// as "rp_AbC123".
func TokenDisplayPrefix(token string) string {
	n := min(len(token), len(TokenPrefix)+displayedTokenChars)
	return token[:n]
}

// IsAPIToken reports whether s has the form of a token that NewAPIToken
// returns, so that malformed bearer values are rejected before a lookup.
func IsAPIToken(s string) bool {
	rest, ok := strings.CutPrefix(s, TokenPrefix)
	if !ok || len(s) != tokenLength {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(rest)
	return err == nil
}
