// Package environ is what every Cloud Function of jobpulse reads from its process: the
// settings in its environment variables (secrets arrive as variables that Terraform maps
// from Secret Manager), JSON logs for Cloud Logging, and the run notifier.
package environ

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	"google.golang.org/api/option"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/gcs"
	"github.com/jobpulse/jobpulse/internal/logging"
	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
)

// Env is a function's process as its handler sees it. The root package passes
// Default(); tests point the lake and BigQuery at in-process fakes.
type Env struct {
	Getenv func(string) string
	// Stdout receives the JSON logs (Cloud Logging reads them from there) and, without
	// a Slack webhook, the run messages.
	Stdout io.Writer
	// OpenLake opens a lake URL and returns a function that releases it (gcs.Open).
	OpenLake func(ctx context.Context, lakeURL string) (lake.Store, func() error, error)
	// BigQuery are extra options for the BigQuery client (a test endpoint).
	BigQuery []option.ClientOption
	Now      func() time.Time
}

// Default is the environment of a deployed function: os.Getenv, os.Stdout,
// Application Default Credentials.
func Default() Env {
	return Env{Getenv: os.Getenv, Stdout: os.Stdout, OpenLake: gcs.Open, Now: time.Now}
}

// Logger returns the JSON logger of one invocation at s's level. Every secret of the
// environment is replaced in its output, whatever a message quotes.
func (e Env) Logger(s Settings) *slog.Logger {
	return logging.New(NewRedactor(e.Getenv).Writer(e.Stdout), logging.FormatJSON, s.LogLevel)
}

// Notifier is Slack when SLACK_WEBHOOK_URL is set, with its outbox in the lake so that
// an undelivered message waits for the next invocation; else plain text on Stdout.
func (e Env) Notifier(s Settings, store lake.Store, log *slog.Logger) notify.Notifier {
	r := notify.Renderer{Redact: NewRedactor(e.Getenv).String, Location: saramin.KST}
	if s.SlackWebhookURL == "" {
		return notify.NewConsole(e.Stdout, notify.WithRenderer(r))
	}
	return notify.NewSlack(s.SlackWebhookURL, store, notify.WithLogger(log), notify.WithRenderer(r))
}

// announceTimeout bounds the delivery of one run message, Retry-After waits included.
const announceTimeout = time.Minute

// Announce sends a run's one message. A delivery problem is logged, never returned:
// the message waits in the outbox and the run's outcome stands.
func Announce(ctx context.Context, n notify.Notifier, s notify.RunSummary, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), announceTimeout)
	defer cancel()
	if err := n.Notify(ctx, s); err != nil {
		log.WarnContext(ctx, "run notification not delivered; it waits in the outbox", "err", err.Error())
	}
}
