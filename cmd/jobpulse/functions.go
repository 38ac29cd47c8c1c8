package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
	"github.com/spf13/cobra"

	// The Cloud Functions root package: its init registers every entry point.
	_ "github.com/jobpulse/jobpulse"
)

func newFunctionsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "functions",
		Short: "Run the Cloud Functions locally",
		Args:  cobra.ArbitraryArgs,
		RunE:  requireSubcommand,
	}
	var (
		target string
		port   int
	)
	serve := &cobra.Command{
		Use:   "serve [--target NAME] [--port 8080]",
		Short: "Serve the Cloud Functions on loopback with the Functions Framework, for manual testing",
		Long: `Serve starts the Functions Framework on 127.0.0.1 with the functions the deployed zip
registers (CollectSaramin, CollectTrends, CollectCertifications, ProcessRun). With --target, FUNCTION_TARGET selects one
function, served at "/" as in Cloud Functions; without it every function is served at
"/NAME".

The functions read only their environment, as in the cloud — not this command's flags:
JOBPULSE_LAKE=gs://BUCKET[/PREFIX], JOBPULSE_WAREHOUSE=bigquery://PROJECT?…,
SARAMIN_ACCESS_KEY, SARAMIN_*, TRENDS_*, QNET_SERVICE_KEY, QNET_*, SLACK_WEBHOOK_URL, JOBPULSE_LOG_LEVEL. Point the lake at a
fake GCS server with STORAGE_EMULATOR_HOST=localhost:4443.

  jobpulse functions serve --target CollectSaramin
  curl -X POST http://127.0.0.1:8080/

  jobpulse functions serve --target ProcessRun
  curl http://127.0.0.1:8080/ -H 'Content-Type: application/json' \
    -H 'ce-id: 1' -H 'ce-specversion: 1.0' -H 'ce-source: //storage.googleapis.com/projects/_/buckets/BUCKET' \
    -H 'ce-type: google.cloud.storage.object.v1.finalized' \
    -d '{"bucket": "BUCKET", "name": "raw/saramin/dt=…/run=…/_MANIFEST.json", "size": "1", "generation": "1"}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if port < 1 || port > 65535 {
				return &usageError{err: fmt.Errorf("--port %d: want 1..65535", port)}
			}
			if target != "" {
				if err := os.Setenv("FUNCTION_TARGET", target); err != nil {
					return err
				}
			}
			return serveFunctions(commandContext(cmd), a, target, port)
		},
	}
	serve.Flags().StringVar(&target, "target", "", "function to serve at / (sets FUNCTION_TARGET), e.g. CollectSaramin or ProcessRun")
	serve.Flags().IntVar(&port, "port", 8080, "port on 127.0.0.1")
	cmd.AddCommand(serve)
	return cmd
}

// serveFunctions runs the framework until it fails or ctx ends (Ctrl-C).
func serveFunctions(ctx context.Context, a *app, target string, port int) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	switch target {
	case "":
		fmt.Fprintf(a.stderr, "serving every function at http://%s/NAME (Ctrl-C stops)\n", addr)
	default:
		fmt.Fprintf(a.stderr, "serving %s at http://%s/ (Ctrl-C stops)\n", target, addr)
	}
	errc := make(chan error, 1)
	go func() { errc <- funcframework.StartHostPort("127.0.0.1", strconv.Itoa(port)) }()
	select {
	case err := <-errc:
		if err != nil {
			return fmt.Errorf("functions framework: %w", err)
		}
		return errors.New("functions framework stopped")
	case <-ctx.Done():
		return nil
	}
}
