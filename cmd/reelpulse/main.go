// Command reelpulse tracks how movies are received by their audience: it
// scrapes IMDb user reviews, analyzes them per aspect and serves a dashboard.
package main

import (
	"os"

	"github.com/reelpulse/reelpulse/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
