package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/source/saramin"
)

func newRunCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run the pipeline for every configured source",
		Long: `Run collects every configured source into the lake, then processes each new run
into the warehouse: normalize, then meta → staging → external → core, each layer gated
by its checks. The ledger (meta.pipeline_runs, meta.check_results) records the outcome.
It exits 1 when the run failed or an error-severity check stopped promotion.

Without SARAMIN_ACCESS_KEY the Saramin source is the built-in demo: a fake of the API
serving synthetic postings, announced as such.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.prepare(cmd, true); err != nil {
				return err
			}
			return a.runPipeline(commandContext(cmd))
		},
	}
	a.cfg.saraminFlags(cmd.Flags())
	annotateEnv(cmd.Flags(), saraminBindings)
	return cmd
}

func newCollectCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "collect SOURCE",
		Short: "Collect one source into the lake",
		Args:  cobra.ArbitraryArgs,
		RunE:  requireSubcommand,
	}
	sar := &cobra.Command{
		Use:   "saramin",
		Short: "Collect new Saramin postings since the watermark",
		Long: `Collect asks the Saramin job-search API for every posting published since the
watermark (minus the overlap; the first run looks back --saramin-lookback), pages in
ascending posting order, stores each response's exact bytes under
raw/saramin/dt=…/run=…/ and writes _MANIFEST.json last. The watermark moves only after
the manifest is written. API calls are counted per KST day against the quota.

The access key is read from SARAMIN_ACCESS_KEY only. Without it the built-in demo
source serves synthetic postings.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.prepare(cmd, true); err != nil {
				return err
			}
			ctx := commandContext(cmd)
			store, closeStore, err := lake.Open(ctx, a.cfg.lakeURL())
			if err != nil {
				return fmt.Errorf("open lake: %w", err)
			}
			defer closeStore()
			_, _, err = a.collectSaramin(ctx, store)
			return err
		},
	}
	a.cfg.saraminFlags(sar.Flags())
	annotateEnv(sar.Flags(), saraminBindings)
	cmd.AddCommand(sar)
	return cmd
}

// collectSaramin runs the collect step and prints its summary; demo reports whether
// the data is synthetic.
func (a *app) collectSaramin(ctx context.Context, store lake.Store) (res pipeline.CollectResult, demo bool, err error) {
	clientCfg, _ := a.cfg.Saramin.ClientConfig() // validated in prepare
	demo = a.cfg.Saramin.AccessKey == ""
	if err := checkDemoMarker(ctx, store, demo); err != nil {
		return res, demo, err
	}
	if demo {
		src, err := startDemo(time.Now)
		if err != nil {
			return res, demo, err
		}
		defer src.Close()
		clientCfg.BaseURL, clientCfg.AccessKey = src.URL, demoKey
		announceDemo(a.stderr, src.URL)
	}
	client, err := saramin.NewClient(clientCfg, nil, a.logger)
	if err != nil {
		return res, demo, &usageError{err: err}
	}
	c := a.cfg.Saramin.Collector(store, client, time.Now, a.logger)
	res, err = c.Run(ctx)
	printCollect(a.stdout, res, demo)
	if err != nil && errors.Is(err, context.Canceled) {
		err = fmt.Errorf("interrupted; the run's pages stay uncommitted and the next run starts from the same watermark: %w", err)
	}
	return res, demo, err
}
