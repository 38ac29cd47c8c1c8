package watch_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	functions "cloud.google.com/go/functions/apiv2"
	"cloud.google.com/go/functions/apiv2/functionspb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/jobpulse/jobpulse/monitor/sample"
	"github.com/jobpulse/jobpulse/monitor/watch"
)

const (
	project = "jobpulse-prod"
	region  = "asia-northeast3"
	parent  = "projects/" + project + "/locations/" + region
)

// fakeFunctions is the Cloud Functions admin API's ListFunctions, paginated by pageSize
// whatever the request asks, as the real one may do.
type fakeFunctions struct {
	functionspb.UnimplementedFunctionServiceServer
	functions []*functionspb.Function
	pageSize  int
	err       error

	mu       sync.Mutex
	requests []string // parent and page token of each request
}

func (f *fakeFunctions) ListFunctions(_ context.Context, req *functionspb.ListFunctionsRequest) (*functionspb.ListFunctionsResponse, error) {
	f.mu.Lock()
	f.requests = append(f.requests, req.GetParent()+" page_token="+req.GetPageToken())
	f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	if req.GetParent() != parent {
		return nil, status.Errorf(codes.NotFound, "location %s not found", req.GetParent())
	}
	start := 0
	if tok := req.GetPageToken(); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "offset-"))
		if err != nil || n > len(f.functions) {
			return nil, status.Errorf(codes.InvalidArgument, "bad page token %q", tok)
		}
		start = n
	}
	end := min(start+f.pageSize, len(f.functions))
	resp := &functionspb.ListFunctionsResponse{Functions: f.functions[start:end]}
	if end < len(f.functions) {
		resp.NextPageToken = fmt.Sprintf("offset-%d", end)
	}
	return resp, nil
}

func (f *fakeFunctions) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// serve starts fake on a loopback gRPC server and returns a real client for it.
func serve(t *testing.T, fake *fakeFunctions) *functions.FunctionClient {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	functionspb.RegisterFunctionServiceServer(srv, fake)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return client(t, lis.Addr().String())
}

func client(t *testing.T, addr string) *functions.FunctionClient {
	t.Helper()
	c, err := functions.NewFunctionClient(context.Background(),
		option.WithEndpoint(addr),
		option.WithoutAuthentication(),
		option.WithGRPCConnectionPool(1),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func fn(name, entryPoint string, state functionspb.Function_State, msgs ...*functionspb.StateMessage) *functionspb.Function {
	return &functionspb.Function{
		Name:          parent + "/functions/" + name,
		BuildConfig:   &functionspb.BuildConfig{EntryPoint: entryPoint, Runtime: "go126"},
		State:         state,
		StateMessages: msgs,
	}
}

func msg(sev functionspb.StateMessage_Severity, typ, text string) *functionspb.StateMessage {
	return &functionspb.StateMessage{Severity: sev, Type: typ, Message: text}
}

func active(function, state, reason string, v float64) sample.Sample {
	return sample.Sample{Name: watch.MetricFunctionActive, Labels: map[string]string{"function": function, "state": state, "reason": reason}, Value: v}
}

func newFunctionsWatcher(t *testing.T, cfg watch.FunctionsConfig, c *functions.FunctionClient, logger *slog.Logger) *watch.Functions {
	t.Helper()
	w, err := watch.NewFunctions(cfg, c, func() time.Time { return now }, logger)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestFunctions_states(t *testing.T) {
	t.Parallel()
	fake := &fakeFunctions{pageSize: 2, functions: []*functionspb.Function{
		// Terraform's resource name; matched by entry point.
		fn("jobpulse-collect-saramin", "CollectSaramin", functionspb.Function_ACTIVE,
			msg(functionspb.StateMessage_INFO, "Deployed", "all good")),
		fn("collecttrends", "CollectTrends", functionspb.Function_FAILED,
			msg(functionspb.StateMessage_INFO, "Deploying", "step 1"),
			msg(functionspb.StateMessage_WARNING, "RuntimeDeprecated", "go125 is deprecated"),
			msg(functionspb.StateMessage_ERROR, "BuildFailed", "build failed: main.go:3: undefined: x\nmore detail")),
		fn("unrelated", "Unrelated", functionspb.Function_FAILED),
		// The second page.
		fn("jobpulse-process-run", "ProcessRun", functionspb.Function_DEPLOYING,
			msg(functionspb.StateMessage_WARNING, "", "revision pending")),
	}}
	w := newFunctionsWatcher(t, watch.FunctionsConfig{Project: project, Region: region}, serve(t, fake), nil)
	res := w.Collect(context.Background())
	if res.Err != nil || res.NoData {
		t.Fatalf("Collect: err %v, no data %v", res.Err, res.NoData)
	}
	want := []sample.Sample{
		active("CollectSaramin", "ACTIVE", "", 1),
		active("CollectTrends", "FAILED", "BuildFailed: build failed: main.go:3: undefined: x", 0),
		active("CollectCertifications", "NOT_FOUND", "not deployed in "+parent, 0),
		active("ProcessRun", "DEPLOYING", "revision pending", 0),
	}
	if diff := cmp.Diff(sorted(want), sorted(res.Samples)); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
	if res.Collector != "cloud_functions" {
		t.Errorf("Collector = %q", res.Collector)
	}
	wantRequests := []string{parent + " page_token=", parent + " page_token=offset-2"}
	if diff := cmp.Diff(wantRequests, fake.seen()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestFunctions_matching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		functions []*functionspb.Function
		want      sample.Sample
	}{
		{
			name:      "resource_name_case_insensitive",
			functions: []*functionspb.Function{fn("processrun", "Other", functionspb.Function_ACTIVE)},
			want:      active("ProcessRun", "ACTIVE", "", 1),
		},
		{
			name: "resource_name_wins_over_entry_point",
			functions: []*functionspb.Function{
				fn("jobpulse-process-run-old", "ProcessRun", functionspb.Function_FAILED),
				fn("ProcessRun", "ProcessRun", functionspb.Function_ACTIVE),
			},
			want: active("ProcessRun", "ACTIVE", "", 1),
		},
		{
			name: "the_one_not_active_of_several",
			functions: []*functionspb.Function{
				fn("jobpulse-process-run", "ProcessRun", functionspb.Function_ACTIVE),
				fn("jobpulse-process-run-staging", "ProcessRun", functionspb.Function_UNKNOWN,
					msg(functionspb.StateMessage_ERROR, "", strings.Repeat("가", 300))),
			},
			want: active("ProcessRun", "UNKNOWN", strings.Repeat("가", watch.MaxReasonLen-1)+"…", 0),
		},
		{
			name:      "none",
			functions: nil,
			want:      active("ProcessRun", "NOT_FOUND", "not deployed in "+parent, 0),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakeFunctions{pageSize: 1, functions: tc.functions}
			w := newFunctionsWatcher(t, watch.FunctionsConfig{Project: project, Region: region, Functions: []string{"ProcessRun"}}, serve(t, fake), nil)
			res := w.Collect(context.Background())
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if diff := cmp.Diff([]sample.Sample{tc.want}, res.Samples); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFunctions_listFailures(t *testing.T) {
	t.Parallel()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	unreachable := closed.Addr().String()
	closed.Close()
	tests := []struct {
		name     string
		client   func(t *testing.T) *functions.FunctionClient
		wantCode codes.Code
		wantText string
	}{
		{
			name: "permission_denied",
			client: func(t *testing.T) *functions.FunctionClient {
				return serve(t, &fakeFunctions{pageSize: 2, err: status.Error(codes.PermissionDenied, "Permission 'cloudfunctions.functions.list' denied on 'projects/jobpulse-prod/locations/asia-northeast3/functions'")})
			},
			wantCode: codes.PermissionDenied,
			wantText: "grant the monitor's service account roles/cloudfunctions.viewer on project " + project,
		},
		{
			name: "unavailable",
			client: func(t *testing.T) *functions.FunctionClient {
				return serve(t, &fakeFunctions{pageSize: 2, err: status.Error(codes.Unavailable, "the service is currently unavailable")})
			},
			wantCode: codes.Unavailable,
			wantText: "the Cloud Functions API is unreachable",
		},
		{
			name:     "unreachable",
			client:   func(t *testing.T) *functions.FunctionClient { return client(t, unreachable) },
			wantCode: codes.Unavailable,
			wantText: "the Cloud Functions API is unreachable",
		},
		{
			name: "unauthenticated",
			client: func(t *testing.T) *functions.FunctionClient {
				return serve(t, &fakeFunctions{pageSize: 2, err: status.Error(codes.Unauthenticated, "no credentials")})
			},
			wantCode: codes.Unauthenticated,
			wantText: "give the monitor credentials",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newFunctionsWatcher(t, watch.FunctionsConfig{Project: project, Region: region}, tc.client(t), nil)
			res := w.Collect(context.Background())
			if res.Err == nil || res.NoData || len(res.Samples) != 0 {
				t.Fatalf("Collect = %+v; want a failure without samples", res)
			}
			if got := status.Code(res.Err); got != tc.wantCode {
				t.Errorf("status code %s, want %s (err %v)", got, tc.wantCode, res.Err)
			}
			if !strings.Contains(res.Err.Error(), tc.wantText) || !strings.Contains(res.Err.Error(), "list Cloud Functions in "+parent) {
				t.Errorf("err %q: want the action and %q", res.Err, tc.wantText)
			}
		})
	}
}

// TestFunctions_labelsCarryNoSecret: a state message can quote a URL with a key in its
// query; the reason label, exported and sent to Slack, must not.
func TestFunctions_labelsCarryNoSecret(t *testing.T) {
	t.Parallel()
	const secret = "SecretAccessKey0123456789abcdef"
	fake := &fakeFunctions{pageSize: 2, functions: []*functionspb.Function{
		fn("ProcessRun", "ProcessRun", functionspb.Function_FAILED,
			msg(functionspb.StateMessage_ERROR, "HealthCheck", "GET https://oapi.saramin.co.kr/job-search?access-key="+secret+" failed")),
	}}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	w := newFunctionsWatcher(t, watch.FunctionsConfig{Project: project, Region: region, Functions: []string{"ProcessRun"}}, serve(t, fake), logger)
	res := w.Collect(context.Background())
	if res.Err != nil || len(res.Samples) != 1 {
		t.Fatalf("Collect = %+v", res)
	}
	if key := res.Samples[0].Key(); strings.Contains(key, secret) || !strings.Contains(key, "job-search?[redacted] failed") {
		t.Errorf("series %s: want the URL's query redacted", key)
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the log carries the secret:\n%s", logs.String())
	}
}

func TestFunctionsConfig_validate(t *testing.T) {
	t.Parallel()
	cfg := watch.FunctionsConfig{Project: project, Region: region}
	if err := cfg.Validate(); err != nil || !cfg.Enabled() {
		t.Errorf("project and region with default functions: err %v, enabled %v", err, cfg.Enabled())
	}
	if (watch.FunctionsConfig{}).Enabled() {
		t.Error("the zero config is enabled")
	}
	err := watch.FunctionsConfig{Project: "My_Project", Functions: []string{"ProcessRun", "processrun", "a/b"}, Timeout: -time.Second}.Validate()
	if err == nil {
		t.Fatal("bad config validated")
	}
	for _, want := range []string{`project "My_Project"`, `region ""`, `"processrun" is listed twice`, `"a/b"`, "timeout -1s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if err := (watch.FunctionsConfig{Project: project, Region: region, Functions: []string{}}).Validate(); err == nil {
		t.Error("an empty function list validated")
	}
}
