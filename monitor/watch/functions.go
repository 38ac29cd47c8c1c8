package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"strings"
	"time"

	functions "cloud.google.com/go/functions/apiv2"
	"cloud.google.com/go/functions/apiv2/functionspb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/jobpulse/jobpulse/monitor/sample"
	"github.com/jobpulse/jobpulse/monitor/watchconfig"
)

// stateNotFound is the state label of a configured function the project does not have.
const stateNotFound = "NOT_FOUND"

// FunctionsConfig configures the Cloud Functions watcher (see watchconfig.Functions).
type FunctionsConfig = watchconfig.Functions

// Functions watches the state of the pipeline's Cloud Functions through the Cloud
// Functions admin API (the monitor's account needs roles/cloudfunctions.viewer).
//
// Per configured function it reports cloud_function_active{function,state,reason}:
// function is the configured name, state the function's State (NOT_FOUND when it is not
// deployed) and reason its first ERROR state message, else its first WARNING one, as
// "Type: message" cut to MaxReasonLen runes. A function's series changes labels only
// when its state or message does. If several deployed functions match one name, the
// one that is not active is reported. Failing to list (permission denied, API
// unreachable) is an error of the watcher: the collector_success rule covers it.
type Functions struct {
	cfg    FunctionsConfig
	parent string
	client *functions.FunctionClient
	now    func() time.Time
	log    *slog.Logger
}

// NewFunctions returns a Cloud Functions watcher listing through client, which the
// caller owns (and closes).
func NewFunctions(cfg FunctionsConfig, client *functions.FunctionClient, now func() time.Time, logger *slog.Logger) (*Functions, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("functions watcher config: %w", err)
	}
	if client == nil || now == nil {
		return nil, errors.New("functions watcher: client and now are required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.WithDefaults()
	return &Functions{
		cfg:    cfg,
		parent: "projects/" + cfg.Project + "/locations/" + cfg.Region,
		client: client,
		now:    now,
		log:    logger.With("collector", "cloud_functions"),
	}, nil
}

// Name implements the monitor's collector interface.
func (f *Functions) Name() string { return "cloud_functions" }

// Collect lists the functions once.
func (f *Functions) Collect(ctx context.Context) sample.Result {
	start := f.now()
	res := f.collect(ctx)
	res.Collector = f.Name()
	res.Duration = f.now().Sub(start)
	return res
}

func (f *Functions) collect(ctx context.Context) sample.Result {
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	var deployed []*functionspb.Function
	it := f.client.ListFunctions(ctx, &functionspb.ListFunctionsRequest{Parent: f.parent})
	for {
		fn, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			return sample.Result{Err: f.listError(err)}
		}
		deployed = append(deployed, fn)
	}
	out := make([]sample.Sample, 0, len(f.cfg.Functions))
	for _, name := range f.cfg.Functions {
		state, reason := stateNotFound, "not deployed in "+f.parent
		if fn := worst(matching(deployed, name)); fn != nil {
			state, reason = fn.GetState().String(), stateReason(fn)
		}
		active := 0.0
		if state == functionspb.Function_ACTIVE.String() {
			active = 1
		}
		out = append(out, sample.Sample{Name: MetricFunctionActive, Labels: map[string]string{
			"function": name, "state": state, "reason": labelText(reason),
		}, Value: active})
	}
	f.log.Debug("listed cloud functions", "parent", f.parent, "deployed", len(deployed))
	return sample.Result{Samples: out}
}

// listError says what to do about a failed listing.
func (f *Functions) listError(err error) error {
	action := "list Cloud Functions in " + f.parent
	switch status.Code(err) {
	case codes.PermissionDenied:
		return fmt.Errorf("%s: permission denied: grant the monitor's service account roles/cloudfunctions.viewer on project %s: %w", action, f.cfg.Project, err)
	case codes.Unauthenticated:
		return fmt.Errorf("%s: not authenticated: give the monitor credentials (the VM's service account, or GOOGLE_APPLICATION_CREDENTIALS): %w", action, err)
	case codes.Unavailable, codes.DeadlineExceeded:
		return fmt.Errorf("%s: the Cloud Functions API is unreachable: check the host's network and DNS (probe_success); the watcher tries again next tick: %w", action, err)
	case codes.NotFound, codes.InvalidArgument:
		return fmt.Errorf("%s: check the project and region the monitor is configured with: %w", action, err)
	}
	return fmt.Errorf("%s: %w", action, err)
}

// matching returns the deployed functions that name designates: by resource name, or
// failing that by entry point.
func matching(deployed []*functionspb.Function, name string) []*functionspb.Function {
	var byName, byEntry []*functionspb.Function
	for _, fn := range deployed {
		switch {
		case strings.EqualFold(path.Base(fn.GetName()), name):
			byName = append(byName, fn)
		case strings.EqualFold(fn.GetBuildConfig().GetEntryPoint(), name):
			byEntry = append(byEntry, fn)
		}
	}
	if len(byName) > 0 {
		return byName
	}
	return byEntry
}

// worst is the first function that is not active, else the first one.
func worst(fns []*functionspb.Function) *functionspb.Function {
	for _, fn := range fns {
		if fn.GetState() != functionspb.Function_ACTIVE {
			return fn
		}
	}
	if len(fns) > 0 {
		return fns[0]
	}
	return nil
}

// stateReason is the function's first ERROR state message, else its first WARNING one.
func stateReason(fn *functionspb.Function) string {
	for _, sev := range []functionspb.StateMessage_Severity{functionspb.StateMessage_ERROR, functionspb.StateMessage_WARNING} {
		for _, m := range fn.GetStateMessages() {
			if m.GetSeverity() != sev {
				continue
			}
			if m.GetType() == "" {
				return m.GetMessage()
			}
			return m.GetType() + ": " + m.GetMessage()
		}
	}
	return ""
}
