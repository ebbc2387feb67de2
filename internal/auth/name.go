package auth

import (
	"fmt"
	"regexp"
)

// CLIActor is the actor name of the audit events that commands record. No
// user may take it, so that the log cannot be confused.
const CLIActor = "cli"

var userNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// CheckUserName returns an error naming the problem when name is not a
// valid user name: 1 to 64 letters, digits, dots, underscores, at signs
// and hyphens, starting with a letter or digit.
func CheckUserName(name string) error {
	if name == CLIActor {
		return fmt.Errorf("user name %q is reserved for the audit entries of commands; choose another", name)
	}
	if !userNamePattern.MatchString(name) {
		return fmt.Errorf("invalid user name %q: use 1 to 64 ASCII letters, digits, '.', '_', '@' or '-', starting with a letter or digit", name)
	}
	return nil
}
