package main

import (
	"context"
	"strings"
	"time"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/notify"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
)

// notifier is Slack when SLACK_WEBHOOK_URL is set (undelivered messages wait in an
// outbox: <data-dir>/outbox locally, outbox/ in a gs:// lake), else the console.
func (a *app) notifier(store lake.Store) (notify.Notifier, error) {
	renderer := notify.Renderer{Redact: a.redactSecrets, Location: saramin.KST}
	url := a.getenv("SLACK_WEBHOOK_URL")
	if url == "" {
		return notify.NewConsole(a.stdout, notify.WithRenderer(renderer)), nil
	}
	outbox := store
	if loc, err := lake.ParseURL(a.cfg.lakeURL()); err == nil && loc.Bucket == "" {
		local, err := lake.NewLocal(a.cfg.DataDir)
		if err != nil {
			return nil, err
		}
		outbox = local
	}
	return notify.NewSlack(url, outbox, notify.WithLogger(a.logger), notify.WithRenderer(renderer)), nil
}

// redactSecrets removes every configured secret from text bound for Slack.
func (a *app) redactSecrets(s string) string {
	for _, k := range []string{"SARAMIN_ACCESS_KEY", "SLACK_WEBHOOK_URL"} {
		if v := a.getenv(k); len(v) >= 4 {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

// announce sends the run's one message. A delivery problem is logged, never fatal:
// the message waits in the outbox and the run's outcome stands.
func (a *app) announce(n notify.Notifier, s notify.RunSummary) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := n.Notify(ctx, s); err != nil {
		a.logger.Warn("run notification not delivered; it waits in the outbox", "err", err.Error())
	}
}
