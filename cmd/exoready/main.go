// Command exoready assesses whether a hybrid Exchange organization can flip
// its mailboxes to cloud management and retire its last Exchange server.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// Set at build time with -ldflags "-X main.version=... -X main.commit=...".
var (
	version = "dev"
	commit  = ""
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	app := newApp(defaultEnv())
	err := app.RunContext(ctx, interspersed(app, os.Args))
	if err == nil {
		err = ctx.Err()
	}
	stop()
	code := exitCode(err)
	if err != nil && !isSilent(err) {
		fmt.Fprintln(os.Stderr, "exoready:", err)
	}
	os.Exit(code)
}
