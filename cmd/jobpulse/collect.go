package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/lake/gcs"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/qnet"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
	"github.com/jobpulse/jobpulse/internal/source/trends"
)

// outcomeSkipped is a source the configuration leaves out of this run (Q-Net without a
// service key when the other sources are real). Nothing is recorded.
const outcomeSkipped = "skipped"

func newRunCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the pipeline for every configured source",
		Long: `Run collects every configured source (--sources: saramin, trends, qnet) into the lake,
then processes each new run into the warehouse: normalize, then meta → staging →
external → core, each layer gated by its checks. The ledger (meta.pipeline_runs,
meta.check_results) records each run's outcome. It exits 1 when a run failed or an
error-severity check stopped promotion.

Without SARAMIN_ACCESS_KEY every source is the built-in demo: in-process fakes of the
Saramin, Google Trends and Q-Net APIs serving synthetic data, announced as such. With
it, Trends come from Google, and certifications from Q-Net when QNET_SERVICE_KEY is set.
Trends and certifications are collected at most once per --trends-min-interval and
--qnet-min-interval; in between a run only retries what the last one left undone.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.prepare(cmd, allSources...); err != nil {
				return err
			}
			return a.runPipeline(commandContext(cmd))
		},
	}
	cmd.Flags().StringSliceVar(&a.cfg.Sources, "sources", allSources, "sources to run, in order")
	a.cfg.saraminFlags(cmd.Flags())
	a.cfg.trendsFlags(cmd.Flags())
	a.cfg.qnetFlags(cmd.Flags())
	for _, b := range [][]binding{runBindings, saraminBindings, trendsBindings, qnetBindings} {
		annotateEnv(cmd.Flags(), b)
	}
	return cmd
}

func newCollectCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "collect SOURCE",
		Short: "Collect one source into the lake",
		Args:  cobra.ArbitraryArgs,
		RunE:  requireSubcommand,
	}
	sub := func(source, short, long string, flags func(*config, *cobra.Command), bindings []binding) {
		c := &cobra.Command{
			Use: source, Short: short, Long: long, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				if err := a.prepare(cmd, source); err != nil {
					return err
				}
				ctx := commandContext(cmd)
				store, closeStore, err := gcs.Open(ctx, a.cfg.lakeURL())
				if err != nil {
					return fmt.Errorf("open lake: %w", err)
				}
				defer closeStore()
				_, _, err = a.collect(ctx, store, source)
				return err
			},
		}
		flags(&a.cfg, c)
		annotateEnv(c.Flags(), bindings)
		cmd.AddCommand(c)
	}
	sub(pipeline.SourceSaramin, "Collect new Saramin postings since the watermark",
		`Collect asks the Saramin job-search API for every posting published since the
watermark (minus the overlap; the first run looks back --saramin-lookback), pages in
ascending posting order, stores each response's exact bytes under
raw/saramin/dt=…/run=…/ and writes _MANIFEST.json last. The watermark moves only after
the manifest is written. API calls are counted per KST day against the quota.

The access key is read from SARAMIN_ACCESS_KEY only. Without it the built-in demo
source serves synthetic postings.`,
		func(c *config, cmd *cobra.Command) { c.saraminFlags(cmd.Flags()) }, saraminBindings)
	sub(pipeline.SourceTrends, "Collect Google Trends interest for the configured keywords",
		`Collect asks Google Trends (explore → TIMESERIES widget → multiline, geo KR, hl=ko,
tz=-540) for the interest over time of every keyword, in batches of up to five terms
that all carry the anchor term, so the normalizer can put every batch on one scale.
Each multiline response lands verbatim under raw/trends/dt=…/run=…/, the manifest last.
Requests are spaced; on 429 the cookie is refreshed once and the client backs off.
Keywords that still fail, or that a block left unasked, wait in
state/trends/backlog.json and are asked first next run.

A complete pass runs at most once per --trends-min-interval. Without
SARAMIN_ACCESS_KEY (--trends-mode auto) the built-in demo fake answers.`,
		func(c *config, cmd *cobra.Command) { c.trendsFlags(cmd.Flags()) }, trendsBindings)
	sub(pipeline.SourceQnet, "Collect Q-Net yearly certification statistics",
		`Collect asks Q-Net's statistics service (getEventYearPiList and getEventYearSiList)
for the five-year window ending last year of every configured exam, written and
practical stages, and lands each XML answer verbatim under raw/qnet/dt=…/run=…/, the
manifest last. Exams the service does not cover are a warning. The service key is
read from QNET_SERVICE_KEY only and never written anywhere.

A complete pass runs at most once per --qnet-min-interval. Without
SARAMIN_ACCESS_KEY the built-in demo fake answers.`,
		func(c *config, cmd *cobra.Command) { c.qnetFlags(cmd.Flags()) }, qnetBindings)
	return cmd
}

// collect runs one source's collect step and prints its summary; demo reports whether
// the data is synthetic. Every source of a lake is demo or none is: the Saramin key
// decides.
func (a *app) collect(ctx context.Context, store lake.Store, source string) (res pipeline.CollectResult, demo bool, err error) {
	demo = a.cfg.Saramin.AccessKey == ""
	if source == pipeline.SourceTrends && a.cfg.Trends.Mode != pipeline.TrendsAuto {
		if want := a.cfg.Trends.Mode == pipeline.TrendsDemo; want != demo {
			return res, demo, &usageError{err: fmt.Errorf("TRENDS_MODE=%s in a lake of %s data", a.cfg.Trends.Mode, map[bool]string{true: "synthetic", false: "real"}[demo]),
				hint: "Demo and real data never share a lake: use TRENDS_MODE=auto, or another JOBPULSE_DATA_DIR."}
		}
	}
	if source == pipeline.SourceQnet && !demo && a.cfg.Qnet.ServiceKey == "" {
		a.logger.WarnContext(ctx, "QNET_SERVICE_KEY is not set: certifications are not collected", "source", source)
		return pipeline.CollectResult{Source: source, Outcome: outcomeSkipped}, demo, nil
	}
	if err := checkDemoMarker(ctx, store, demo); err != nil {
		return res, demo, err
	}
	var run func(context.Context) (pipeline.CollectResult, error)
	var closeDemo func()
	switch source {
	case pipeline.SourceSaramin:
		run, closeDemo, err = a.saraminCollector(store, demo)
	case pipeline.SourceTrends:
		run, closeDemo, err = a.trendsCollector(store, demo)
	case pipeline.SourceQnet:
		run, closeDemo, err = a.qnetCollector(store, demo)
	default:
		return res, demo, &usageError{err: fmt.Errorf("unknown source %q", source)}
	}
	if err != nil {
		return res, demo, err
	}
	defer closeDemo()
	res, err = run(ctx)
	printCollect(a.stdout, res, demo)
	if err != nil && errors.Is(err, context.Canceled) {
		err = fmt.Errorf("interrupted; the run's pages stay uncommitted and the next run starts where this one did: %w", err)
	}
	return res, demo, err
}

func (a *app) saraminCollector(store lake.Store, demo bool) (func(context.Context) (pipeline.CollectResult, error), func(), error) {
	cfg, _ := a.cfg.Saramin.ClientConfig() // validated in prepare
	closeDemo := func() {}
	if demo {
		src, err := startDemo(time.Now)
		if err != nil {
			return nil, nil, err
		}
		closeDemo = src.Close
		cfg.BaseURL, cfg.AccessKey = src.URL, demoKey
		announceDemo(a.stderr, src.URL)
	}
	client, err := saramin.NewClient(cfg, nil, a.logger)
	if err != nil {
		closeDemo()
		return nil, nil, &usageError{err: err}
	}
	return a.cfg.Saramin.Collector(store, client, time.Now, a.logger).Run, closeDemo, nil
}

func (a *app) trendsCollector(store lake.Store, demo bool) (func(context.Context) (pipeline.CollectResult, error), func(), error) {
	cfg, _ := a.cfg.Trends.ClientConfig()
	closeDemo := func() {}
	if demo {
		src := startTrendsDemo(time.Now)
		closeDemo = src.Close
		cfg.BaseURL, cfg.Spacing = src.URL(), 0
	}
	client, err := trends.NewClient(cfg, trends.WithLogger(a.logger))
	if err != nil {
		closeDemo()
		return nil, nil, &usageError{err: err}
	}
	c, err := a.cfg.Trends.Collector(store, client, client.Params, time.Now, a.logger)
	if err != nil {
		closeDemo()
		return nil, nil, &usageError{err: err}
	}
	return c.Run, closeDemo, nil
}

func (a *app) qnetCollector(store lake.Store, demo bool) (func(context.Context) (pipeline.CollectResult, error), func(), error) {
	cfg, _ := a.cfg.Qnet.ClientConfig()
	closeDemo := func() {}
	if demo {
		src := startQnetDemo(time.Now)
		closeDemo = src.Close
		cfg.BaseURL, cfg.ServiceKey = src.URL(), demoKey
	}
	client, err := qnet.NewClient(cfg, qnet.WithLogger(a.logger))
	if err != nil {
		closeDemo()
		return nil, nil, &usageError{err: err}
	}
	c, err := a.cfg.Qnet.Collector(store, client, time.Now, a.logger)
	if err != nil {
		closeDemo()
		return nil, nil, &usageError{err: err}
	}
	return c.Run, closeDemo, nil
}

// sourcesToRun are the configured sources in run order.
func (a *app) sourcesToRun() []string {
	var out []string
	for _, s := range allSources {
		if slices.Contains(a.cfg.Sources, s) {
			out = append(out, s)
		}
	}
	return out
}
