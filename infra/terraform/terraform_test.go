// Package terraform_test checks the Terraform configuration of this folder offline:
// terraform validate needs the provider registry, so these tests parse the files with
// the HCL library Terraform itself uses, compare them with their canonical formatting,
// and assert the deployment's invariants on the syntax tree (DESIGN §6,
// reference/gcp.md). Where a value is computed from variables (the functions'
// environment, the Looker Studio link), the locals are evaluated and checked against
// the app's own parsers.
package terraform_test

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/jobpulse/jobpulse/internal/lake"
	"github.com/jobpulse/jobpulse/internal/pipeline"
	"github.com/jobpulse/jobpulse/internal/warehouse"
	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
)

// repoRoot is the module root, the directory the source zip is made of.
const repoRoot = "../.."

const (
	finalizeEvent = "google.cloud.storage.object.v1.finalized"
	funcType      = "google_cloudfunctions2_function"
)

// entryPoints are the functions the root package registers, by kind.
var entryPoints = map[string]string{
	"CollectSaramin":        "http",
	"CollectTrends":         "http",
	"CollectCertifications": "http",
	"ProcessRun":            "cloudevent",
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	names := slices.Sorted(func(yield func(string) bool) {
		for name := range m.files {
			if !yield(name) {
				return
			}
		}
	})
	for _, name := range names {
		t.Run(strings.NewReplacer(".", "_").Replace(name), func(t *testing.T) {
			t.Parallel()
			src := m.files[name]
			// hclwrite.Format is the formatter of `terraform fmt`.
			if got := hclwrite.Format(src); !bytes.Equal(got, src) {
				t.Errorf("%s is not formatted as terraform fmt would (run terraform fmt infra/terraform):\n%s",
					name, cmp.Diff(string(src), string(got)))
			}
		})
	}
}

func TestVariablesDocumentedAndTyped(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	if len(m.variables) == 0 {
		t.Fatal("no variables")
	}
	for name, b := range m.variables {
		if d, ok := literalString(b.Body.Attributes["description"]); !ok || strings.TrimSpace(d) == "" {
			t.Errorf("variable %q has no description", name)
		}
		if b.Body.Attributes["type"] == nil {
			t.Errorf("variable %q has no type", name)
		}
	}
	for _, name := range []string{"project_id", "region", "dataset_prefix", "bucket_name", "raw_nearline_after_days", "raw_delete_after_days", "collect_schedule", "trends_schedule", "certifications_schedule", "saramin_query", "saramin_daily_quota", "create_monitor_vm"} {
		if m.variables[name] == nil {
			t.Errorf("variable %q is missing", name)
		}
	}
}

// Defaults that must agree with the app's own defaults, or with the issue.
func TestVariableDefaults(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	tests := []struct {
		name     string
		variable string
		want     cty.Value
	}{
		{"region_is_the_warehouse_default_location", "region", cty.StringVal(bigquery.DefaultLocation)},
		{"dataset_prefix_is_the_warehouse_default", "dataset_prefix", cty.StringVal(bigquery.DefaultDatasetPrefix)},
		{"max_bytes_billed_is_the_warehouse_default", "max_bytes_billed", cty.NumberIntVal(bigquery.DefaultMaxBytesBilled)},
		{"raw_goes_nearline_after_30_days", "raw_nearline_after_days", cty.NumberIntVal(30)},
		{"raw_is_kept_forever", "raw_delete_after_days", cty.NumberIntVal(0)},
		{"collect_every_30_minutes", "collect_schedule", cty.StringVal("*/30 * * * *")},
		{"trends_daily", "trends_schedule", cty.StringVal("30 6 * * *")},
		{"certifications_weekly", "certifications_schedule", cty.StringVal("0 7 * * 1")},
		{"no_monitor_vm", "create_monitor_vm", cty.False},
		{"saramin_query_is_the_app_default", "saramin_query", cty.StringVal(pipeline.DefaultSaraminSettings().Query)},
		{"saramin_daily_quota_is_the_app_default", "saramin_daily_quota", cty.NumberIntVal(int64(pipeline.DefaultSaraminSettings().DailyQuota))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := m.variables[tt.variable]
			if b == nil {
				t.Fatalf("variable %q is missing", tt.variable)
			}
			got, ok := literal(b.Body.Attributes["default"])
			if !ok || !got.Equals(tt.want).True() {
				t.Errorf("variable %q: default %#v, want %#v", tt.variable, got, tt.want)
			}
		})
	}
}

func TestFunctions(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	ev := evalDefaults(t, m, nil)
	fns := m.instances(t, ev, funcType)
	if len(fns) == 0 {
		t.Fatal("no google_cloudfunctions2_function")
	}
	seen := map[string]string{}
	for _, fn := range fns {
		body := fn.body
		addr := fn.addr(funcType)
		ep := fn.str(t, ev, attrAt(body, "build_config", "entry_point"))
		t.Run(fn.name, func(t *testing.T) {
			t.Parallel()
			if rt := fn.str(t, ev, attrAt(body, "build_config", "runtime")); rt != "go126" {
				t.Errorf("%s: build_config.runtime = %q, want go126", addr, rt)
			}
			if _, ok := entryPoints[ep]; !ok {
				t.Errorf("%s: build_config.entry_point = %q, want one of %v", addr, ep, slices.Sorted(mapKeys(entryPoints)))
			}
			if sa := attrAt(body, "service_config", "service_account_email"); !refersTo(sa, "google_service_account") {
				t.Errorf("%s: service_config.service_account_email must be one of this module's service accounts, got %v", addr, refs(sa))
			}
			if !refersTo(attrAt(body, "build_config", "source", "storage_source", "object"), "local.source_object") ||
				!refersTo(attrAt(body, "build_config", "source", "storage_source", "bucket"), "google_storage_bucket.source") {
				t.Errorf("%s: must build from the shared source zip, local.source_object in google_storage_bucket.source", addr)
			}
			if !refersTo(attrAt(body, "build_config", "service_account"), "google_service_account.builder") {
				t.Errorf("%s: build_config.service_account must be the builder service account", addr)
			}
			hasTrigger := blockAt(body, "event_trigger") != nil
			if kind := entryPoints[ep]; kind != "" && (kind == "cloudevent") != hasTrigger {
				t.Errorf("%s: entry point %s is a %s function, but event_trigger present = %v", addr, ep, kind, hasTrigger)
			}
		})
		if prev, dup := seen[ep]; dup {
			t.Errorf("entry point %q is deployed twice: %s and %s", ep, prev, addr)
		}
		seen[ep] = addr
	}
	if got, want := slices.Sorted(mapKeys(seen)), slices.Sorted(mapKeys(entryPoints)); !slices.Equal(got, want) {
		t.Errorf("deployed entry points %v, want %v", got, want)
	}
	// Function names are unique in a region: two instances must not share one.
	names := map[string]string{}
	for _, fn := range fns {
		name := fn.str(t, ev, fn.body.Attributes["name"])
		if prev, dup := names[name]; dup || name == "" {
			t.Errorf("%s and %s are both named %q", prev, fn.name, name)
		}
		names[name] = fn.name
	}
}

// Per-function settings: who runs it, who may reach it, how many at once.
func TestFunctionServiceConfig(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	ev := evalDefaults(t, m, nil)
	collector := func(key string, secrets ...string) functionConfig {
		return functionConfig{
			name:           "collect_" + key + "_runs_alone_behind_iam",
			function:       fmt.Sprintf("collect[%q]", key),
			serviceAccount: "google_service_account.collector",
			ingress:        "ALLOW_ALL",
			maxInstances:   ptr(int64(1)),
			secretEnv:      secrets,
			invoker:        "google_service_account.scheduler",
		}
	}
	tests := []functionConfig{
		collector("saramin", "SARAMIN_ACCESS_KEY", "SLACK_WEBHOOK_URL"),
		collector("trends", "SLACK_WEBHOOK_URL"),
		// The Q-Net key reaches the certifications collector only.
		collector("certifications", "QNET_SERVICE_KEY", "SLACK_WEBHOOK_URL"),
		{
			name:           "process_run_is_internal_only",
			function:       "process_run",
			serviceAccount: "google_service_account.processor",
			ingress:        "ALLOW_INTERNAL_ONLY",
			secretEnv:      []string{"SLACK_WEBHOOK_URL"},
			invoker:        "google_service_account.trigger",
		},
	}
	fns := map[string]instance{}
	for _, fn := range m.instances(t, ev, funcType) {
		fns[fn.name] = fn
	}
	if got, want := slices.Sorted(mapKeys(fns)), slices.Sorted(func(yield func(string) bool) {
		for _, tt := range tests {
			if !yield(tt.function) {
				return
			}
		}
	}); !slices.Equal(got, want) {
		t.Errorf("functions %v, want %v", got, want)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fn, ok := fns[tt.function]
			if !ok {
				t.Fatalf("%s.%s is missing", funcType, tt.function)
			}
			body := fn.body
			if sa := attrAt(body, "service_config", "service_account_email"); !refersTo(sa, tt.serviceAccount) {
				t.Errorf("service_account_email refers to %v, want %s", refs(sa), tt.serviceAccount)
			}
			if got := fn.str(t, ev, attrAt(body, "service_config", "ingress_settings")); got != tt.ingress {
				t.Errorf("ingress_settings = %q, want %q", got, tt.ingress)
			}
			if tt.maxInstances != nil {
				v, ok := literal(attrAt(body, "service_config", "max_instance_count"))
				if !ok || !v.Equals(cty.NumberIntVal(*tt.maxInstances)).True() {
					t.Errorf("max_instance_count = %#v, want %d", v, *tt.maxInstances)
				}
			}
			if attrAt(body, "service_config", "timeout_seconds") == nil || attrAt(body, "service_config", "available_memory") == nil {
				t.Error("service_config must set timeout_seconds and available_memory")
			}

			// Secrets arrive as secret environment variables, each readable by the
			// function's service account.
			env := m.secretEnv(t, ev, fn)
			for key, secret := range env {
				if secret == "" {
					t.Errorf("secret environment variable %s: secret must refer to a google_secret_manager_secret", key)
					continue
				}
				if !slices.Contains(secretAccessors(m, secret), tt.serviceAccount) {
					t.Errorf("%s mounts %s as %s, but %s has no secretAccessor on it", fn.name, secret, key, tt.serviceAccount)
				}
			}
			if keys := slices.Sorted(mapKeys(env)); !slices.Equal(keys, tt.secretEnv) {
				t.Errorf("secret environment variables %v, want %v", keys, tt.secretEnv)
			}

			// run.invoker on the function's Cloud Run service, for exactly one account.
			grantees := invokers(t, m, ev, fn.addr(funcType))
			if !slices.Equal(grantees, []string{tt.invoker}) {
				t.Errorf("run.invoker on %s's service is held by %v, want only %s", tt.function, grantees, tt.invoker)
			}
		})
	}
}

// functionConfig is what TestFunctionServiceConfig expects of one function instance.
type functionConfig struct {
	name           string
	function       string // instance name: process_run, collect["trends"]
	serviceAccount string
	ingress        string
	maxInstances   *int64 // nil: not a constant
	secretEnv      []string
	invoker        string // the service account with run.invoker on the function's service
}

// The secrets a function mounts are the ones its environment variables name:
// SARAMIN_ACCESS_KEY from the Saramin key, QNET_SERVICE_KEY from the Q-Net key.
func TestSecretEnvironmentNamesItsSecret(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	ev := evalDefaults(t, m, nil)
	want := map[string]string{
		"SARAMIN_ACCESS_KEY": "google_secret_manager_secret.saramin_access_key",
		"QNET_SERVICE_KEY":   "google_secret_manager_secret.qnet_service_key",
		"SLACK_WEBHOOK_URL":  "google_secret_manager_secret.slack_webhook_url",
	}
	for _, fn := range m.instances(t, ev, funcType) {
		for key, secret := range m.secretEnv(t, ev, fn) {
			if want[key] != secret {
				t.Errorf("%s: %s mounts %q, want %q", fn.name, key, secret, want[key])
			}
		}
	}
}

func TestEventTrigger(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	var triggered []string
	for _, addr := range m.ofType(funcType) {
		if blockAt(m.resources[addr].Body, "event_trigger") != nil {
			triggered = append(triggered, addr)
		}
	}
	if !slices.Equal(triggered, []string{funcType + ".process_run"}) {
		t.Fatalf("functions with an event trigger: %v, want only process_run", triggered)
	}
	body := blockAt(m.resources[funcType+".process_run"].Body, "event_trigger").Body
	ev := evalDefaults(t, m, nil)

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"event_type_is_object_finalized", func(t *testing.T) {
			if got, _ := literalString(body.Attributes["event_type"]); got != finalizeEvent {
				t.Errorf("event_type = %q, want %q", got, finalizeEvent)
			}
		}},
		{"trigger_region_is_the_bucket_region", func(t *testing.T) {
			a := body.Attributes["trigger_region"]
			if !refersTo(a, "google_storage_bucket.lake.location") && !refersTo(a, "var.region") {
				t.Fatalf("trigger_region refers to %v, want google_storage_bucket.lake.location or var.region", refs(a))
			}
			// The provider reports bucket locations in upper case.
			if got := ev.expr(t, a); got.AsString() != ev.vars["region"].AsString() {
				t.Errorf("trigger_region evaluates to %q for a bucket in %q", got.AsString(), ev.vars["region"].AsString())
			}
		}},
		{"filters_on_the_lake_bucket", func(t *testing.T) {
			filters := nested(body, "event_filters")
			if len(filters) != 1 {
				t.Fatalf("%d event_filters, want 1 (bucket)", len(filters))
			}
			if attr, _ := literalString(filters[0].Body.Attributes["attribute"]); attr != "bucket" {
				t.Errorf("event_filters.attribute = %q, want bucket", attr)
			}
			if v := filters[0].Body.Attributes["value"]; !refersTo(v, "google_storage_bucket.lake.name") {
				t.Errorf("event_filters.value refers to %v, want google_storage_bucket.lake.name", refs(v))
			}
		}},
		{"retries_are_on", func(t *testing.T) {
			if got, _ := literalString(body.Attributes["retry_policy"]); got != "RETRY_POLICY_RETRY" {
				t.Errorf("retry_policy = %q, want RETRY_POLICY_RETRY", got)
			}
		}},
		{"trigger_has_its_own_account", func(t *testing.T) {
			if a := body.Attributes["service_account_email"]; !refersTo(a, "google_service_account.trigger") {
				t.Errorf("event_trigger.service_account_email refers to %v, want google_service_account.trigger", refs(a))
			}
			if !hasProjectRole(m, "roles/eventarc.eventReceiver", "google_service_account.trigger") {
				t.Error("the trigger service account lacks roles/eventarc.eventReceiver on the project")
			}
		}},
		{"gcs_service_agent_publishes_to_pubsub", func(t *testing.T) {
			if !hasProjectRole(m, "roles/pubsub.publisher", "data.google_storage_project_service_account.gcs") {
				t.Error("the Cloud Storage service agent lacks roles/pubsub.publisher (data.google_storage_project_service_account)")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t)
		})
	}
}

func TestSchedulerJobs(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	ev := evalDefaults(t, m, nil)
	jobs := m.instances(t, ev, "google_cloud_scheduler_job")
	if len(jobs) == 0 {
		t.Fatal("no google_cloud_scheduler_job")
	}
	fns := map[string]instance{}
	for _, fn := range m.instances(t, ev, funcType) {
		fns[fn.addr(funcType)] = fn
	}
	called := map[string]string{} // entry point → schedule
	for _, job := range jobs {
		uriRefs := job.refs(t, attrAt(job.body, "http_target", "uri"))
		fnAddr := functionOf(uriRefs)
		fn, ok := fns[fnAddr]
		if !ok {
			t.Errorf("%s: http_target.uri refers to %v, want a function's service_config[0].uri", job.name, uriRefs)
			continue
		}
		called[fn.str(t, ev, attrAt(fn.body, "build_config", "entry_point"))] = job.str(t, ev, job.body.Attributes["schedule"])
		t.Run(job.name, func(t *testing.T) {
			t.Parallel()
			body := job.body
			if !slices.Contains(uriRefs, fnAddr+".service_config[0].uri") {
				t.Errorf("http_target.uri refers to %v, want %s.service_config[0].uri", uriRefs, fnAddr)
			}
			if m := attrAt(body, "http_target", "http_method"); m != nil {
				if got, _ := literalString(m); got != "POST" {
					t.Errorf("http_method = %q, want POST", got)
				}
			}
			if blockAt(body, "http_target", "oauth_token") != nil {
				t.Error("oauth_token is for Google APIs; a function takes an oidc_token")
			}
			if blockAt(body, "http_target", "oidc_token") == nil {
				t.Fatal("http_target has no oidc_token")
			}
			if aud := job.refs(t, attrAt(body, "http_target", "oidc_token", "audience")); !slices.Contains(aud, fnAddr+".service_config[0].uri") {
				t.Errorf("oidc_token.audience refers to %v, want the URI of %s", aud, fnAddr)
			}
			sa := attrAt(body, "http_target", "oidc_token", "service_account_email")
			if !refersTo(sa, "google_service_account.scheduler") {
				t.Fatalf("oidc_token.service_account_email refers to %v, want google_service_account.scheduler", refs(sa))
			}
			if !slices.Contains(invokers(t, m, ev, fnAddr), "google_service_account.scheduler") {
				t.Errorf("the scheduler service account has no run.invoker on %s's Cloud Run service", fnAddr)
			}
			if schedule := job.str(t, ev, body.Attributes["schedule"]); len(strings.Fields(schedule)) != 5 {
				t.Errorf("schedule %q: want a cron expression of five fields", schedule)
			}
			if tz := job.str(t, ev, body.Attributes["time_zone"]); tz != "Asia/Seoul" {
				t.Errorf("time_zone %q, want Asia/Seoul (the sources count their days in KST)", tz)
			}
			// The scheduler must wait for the function to finish.
			deadline, err := time.ParseDuration(job.str(t, ev, body.Attributes["attempt_deadline"]))
			if err != nil {
				t.Fatalf("attempt_deadline: %v", err)
			}
			timeout, _ := fn.eval(t, ev, attrAt(fn.body, "service_config", "timeout_seconds")).AsBigFloat().Int64()
			if deadline <= time.Duration(timeout)*time.Second || deadline > 30*time.Minute {
				t.Errorf("attempt_deadline %s: want more than the function's timeout (%ds) and at most 30m", deadline, timeout)
			}
		})
	}
	// Every collector is called, on its own schedule by default.
	want := map[string]string{"CollectSaramin": "*/30 * * * *", "CollectTrends": "30 6 * * *", "CollectCertifications": "0 7 * * 1"}
	if diff := cmp.Diff(want, called); diff != "" {
		t.Errorf("scheduled entry points and their schedules (-want +got):\n%s", diff)
	}
}

// Project-level grants, each to the one account that needs it.
func TestProjectRoles(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	tests := []struct {
		name   string
		role   string // a predefined role, or the address of a custom role
		member string
	}{
		{"collector_runs_jobs", "roles/bigquery.jobUser", "google_service_account.collector"},
		{"processor_runs_jobs", "roles/bigquery.jobUser", "google_service_account.processor"},
		{"monitor_runs_jobs", "roles/bigquery.jobUser", "google_service_account.monitor"},
		{"monitor_sees_functions", "roles/cloudfunctions.viewer", "google_service_account.monitor"},
		{"trigger_receives_events", "roles/eventarc.eventReceiver", "google_service_account.trigger"},
		{"gcs_agent_publishes", "roles/pubsub.publisher", "data.google_storage_project_service_account.gcs"},
		{"collector_ensures_datasets", "google_project_iam_custom_role.dataset_ensurer", "google_service_account.collector"},
		{"processor_ensures_datasets", "google_project_iam_custom_role.dataset_ensurer", "google_service_account.processor"},
		{"builder_writes_logs", "roles/logging.logWriter", "google_service_account.builder"},
		{"builder_pushes_images", "roles/artifactregistry.writer", "google_service_account.builder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if !hasProjectRole(m, tt.role, tt.member) {
				t.Errorf("no google_project_iam_member grants %s to %s", tt.role, tt.member)
			}
		})
	}
	t.Run("custom_role_holds_only_dataset_permissions", func(t *testing.T) {
		t.Parallel()
		b := m.resources["google_project_iam_custom_role.dataset_ensurer"]
		if b == nil {
			t.Fatal("google_project_iam_custom_role.dataset_ensurer is missing")
		}
		perms, _ := literalStrings(b.Body.Attributes["permissions"])
		if want := []string{"bigquery.datasets.create", "bigquery.datasets.get"}; !slices.Equal(perms, want) {
			t.Errorf("permissions %v, want %v", perms, want)
		}
	})
}

func TestLakeBucket(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	b := m.resources["google_storage_bucket.lake"]
	if b == nil {
		t.Fatal("google_storage_bucket.lake is missing")
	}
	ev := evalDefaults(t, m, nil)
	rawPrefix := ev.local(t, "raw_prefix").AsString()
	lakePrefix := ev.vars["lake_prefix"].AsString()
	inLake := func(name string) string {
		if lakePrefix == "" {
			return name
		}
		return lakePrefix + "/" + name
	}

	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"location_is_the_region", func(t *testing.T) {
			if a := b.Body.Attributes["location"]; !refersTo(a, "var.region") {
				t.Errorf("location refers to %v, want var.region", refs(a))
			}
		}},
		{"raw_moves_to_nearline", func(t *testing.T) {
			var found bool
			for _, r := range nested(b.Body, "lifecycle_rule") {
				class, _ := literalString(attrAt(r.Body, "action", "storage_class"))
				typ, _ := literalString(attrAt(r.Body, "action", "type"))
				if class != "NEARLINE" || typ != "SetStorageClass" {
					continue
				}
				found = true
				if a := attrAt(r.Body, "condition", "age"); !refersTo(a, "var.raw_nearline_after_days") {
					t.Errorf("the Nearline rule's age refers to %v, want var.raw_nearline_after_days", refs(a))
				}
				if a := attrAt(r.Body, "condition", "matches_prefix"); !refersTo(a, "local.raw_prefix") {
					t.Errorf("the Nearline rule's matches_prefix refers to %v, want local.raw_prefix", refs(a))
				}
			}
			if !found {
				t.Error("no lifecycle_rule moves objects to NEARLINE")
			}
		}},
		{"raw_deletion_is_configurable", func(t *testing.T) {
			var found bool
			for _, d := range nested(b.Body, "dynamic") {
				if len(d.Labels) != 1 || d.Labels[0] != "lifecycle_rule" {
					continue
				}
				content := blockAt(d.Body, "content")
				if content == nil {
					continue
				}
				if typ, _ := literalString(attrAt(content.Body, "action", "type")); typ == "Delete" {
					found = refersTo(d.Body.Attributes["for_each"], "var.raw_delete_after_days")
				}
			}
			if !found {
				t.Error("no dynamic lifecycle_rule deletes raw objects depending on var.raw_delete_after_days")
			}
		}},
		// The rules must catch raw pages and manifests, and only them: clean files
		// and state are read on every run.
		{"raw_prefix_is_the_lake_layout", func(t *testing.T) {
			for _, name := range []string{lake.RawPage("saramin", "2026-11-21", "20261121T103000Z-saramin-3f9a1c", 1), lake.RawManifest("saramin", "2026-11-21", "20261121T103000Z-saramin-3f9a1c")} {
				if !strings.HasPrefix(inLake(name), rawPrefix) {
					t.Errorf("raw object %s is not under the lifecycle prefix %q", inLake(name), rawPrefix)
				}
			}
			for _, name := range []string{lake.CleanPart("saramin_postings", "2026-11-21", "20261121T103000Z-saramin-3f9a1c", 1), lake.WatermarkPath("saramin"), lake.QuotaPath("saramin", "2026-11-21")} {
				if strings.HasPrefix(inLake(name), rawPrefix) {
					t.Errorf("%s is under the raw lifecycle prefix %q", inLake(name), rawPrefix)
				}
			}
		}},
		{"the_lake_survives_destroy", func(t *testing.T) {
			if v, ok := literal(b.Body.Attributes["force_destroy"]); !ok || !v.Equals(cty.False).True() {
				t.Error("force_destroy must be false on the lake bucket")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t)
		})
	}
}

func TestDatasets(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	addrs := m.ofType("google_bigquery_dataset")
	if len(addrs) == 0 {
		t.Fatal("no google_bigquery_dataset")
	}
	for _, addr := range addrs {
		body := m.resources[addr].Body
		if a := body.Attributes["location"]; a == nil || !refersTo(a, "var.region") {
			t.Errorf("%s: location must be var.region, got %v", addr, refs(a))
		}
		for _, attr := range []string{"description", "labels"} {
			if body.Attributes[attr] == nil {
				t.Errorf("%s: no %s", addr, attr)
			}
		}
	}
	// The layers are the warehouse's, named prefix + layer.
	ev := evalDefaults(t, m, nil)
	if got := slices.Sorted(mapKeys(ev.local(t, "datasets").AsValueMap())); !slices.Equal(got, slices.Sorted(slices.Values(warehouse.Datasets))) {
		t.Errorf("datasets %v, want the warehouse layers %v", got, warehouse.Datasets)
	}
	layer := m.resources["google_bigquery_dataset.layer"]
	if layer == nil {
		t.Fatal("google_bigquery_dataset.layer is missing")
	}
	if !refersTo(layer.Body.Attributes["dataset_id"], "var.dataset_prefix") {
		t.Error("dataset_id must be var.dataset_prefix + the layer")
	}

	// Who may do what in which dataset.
	tests := []struct {
		name     string
		resource string
		role     string
		member   string
		dataset  string // the reference the dataset_id must hold
	}{
		{"processor_edits_every_layer", "processor_editor", "roles/bigquery.dataEditor", "google_service_account.processor", "each.value.dataset_id"},
		{"collector_edits_meta", "collector_meta_editor", "roles/bigquery.dataEditor", "google_service_account.collector", `google_bigquery_dataset.layer["meta"].dataset_id`},
		{"monitor_reads_meta", "monitor_meta_viewer", "roles/bigquery.dataViewer", "google_service_account.monitor", `google_bigquery_dataset.layer["meta"].dataset_id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := m.resources["google_bigquery_dataset_iam_member."+tt.resource]
			if b == nil {
				t.Fatalf("google_bigquery_dataset_iam_member.%s is missing", tt.resource)
			}
			if role, _ := literalString(b.Body.Attributes["role"]); role != tt.role {
				t.Errorf("role %q, want %q", role, tt.role)
			}
			if !refersTo(b.Body.Attributes["member"], tt.member) {
				t.Errorf("member refers to %v, want %s", refs(b.Body.Attributes["member"]), tt.member)
			}
			if !slices.Contains(refs(b.Body.Attributes["dataset_id"]), tt.dataset) {
				t.Errorf("dataset_id refers to %v, want %s", refs(b.Body.Attributes["dataset_id"]), tt.dataset)
			}
		})
	}
}

func TestSecretAccess(t *testing.T) {
	t.Parallel()
	m := mustModule(t)
	tests := []struct {
		name   string
		secret string
		want   []string
	}{
		{"saramin_key_for_the_collector", "saramin_access_key", []string{"google_service_account.collector"}},
		{"qnet_key_for_the_collector", "qnet_service_key", []string{"google_service_account.collector"}},
		{"slack_webhook_for_who_posts", "slack_webhook_url", []string{"google_service_account.collector", "google_service_account.monitor", "google_service_account.processor"}},
	}
	var secrets []string
	for _, tt := range tests {
		secrets = append(secrets, "google_secret_manager_secret."+tt.secret)
	}
	if got := m.ofType("google_secret_manager_secret"); !slices.Equal(got, slices.Sorted(slices.Values(secrets))) {
		t.Errorf("secrets %v, want %v", got, slices.Sorted(slices.Values(secrets)))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := secretAccessors(m, "google_secret_manager_secret."+tt.secret); !slices.Equal(got, tt.want) {
				t.Errorf("secretAccessor on %s: %v, want %v", tt.secret, got, tt.want)
			}
		})
	}
}

// invokers returns the service accounts that hold roles/run.invoker on the Cloud Run
// service of a function instance (google_cloudfunctions2_function.collect["trends"]),
// sorted.
func invokers(t *testing.T, m *module, ev *evaluator, function string) []string {
	t.Helper()
	var out []string
	for _, typ := range []string{"google_cloud_run_v2_service_iam_member", "google_cloud_run_service_iam_member"} {
		for _, grant := range m.instances(t, ev, typ) {
			body := grant.body
			if role, _ := literalString(body.Attributes["role"]); role != "roles/run.invoker" {
				continue
			}
			service := body.Attributes["name"]
			if service == nil {
				service = body.Attributes["service"]
			}
			if !slices.ContainsFunc(grant.refs(t, service), func(r string) bool {
				return r == function || strings.HasPrefix(r, function+".")
			}) {
				continue
			}
			out = append(out, serviceAccountsIn(body.Attributes["member"])...)
		}
	}
	sort.Strings(out)
	return out
}

// secretAccessors returns the service accounts with secretAccessor on a secret.
func secretAccessors(m *module, secret string) []string {
	var out []string
	for _, addr := range m.ofType("google_secret_manager_secret_iam_member") {
		body := m.resources[addr].Body
		if role, _ := literalString(body.Attributes["role"]); role != "roles/secretmanager.secretAccessor" {
			continue
		}
		if secretOf(body.Attributes["secret_id"]) != secret {
			continue
		}
		out = append(out, serviceAccountsIn(body.Attributes["member"])...)
	}
	sort.Strings(out)
	return out
}

// hasProjectRole reports whether a google_project_iam_member grants role (a role name,
// or the address of a custom role) to member (an address the member expression
// refers to).
func hasProjectRole(m *module, role, member string) bool {
	for _, addr := range m.ofType("google_project_iam_member") {
		body := m.resources[addr].Body
		r, _ := literalString(body.Attributes["role"])
		if (r == role || refersTo(body.Attributes["role"], role)) && refersTo(body.Attributes["member"], member) {
			return true
		}
	}
	return false
}

// serviceAccountsIn returns the google_service_account addresses an expression uses.
func serviceAccountsIn(a *hclsyntax.Attribute) []string {
	var out []string
	for _, r := range refs(a) {
		if parts := strings.SplitN(r, ".", 3); len(parts) >= 2 && parts[0] == "google_service_account" {
			out = append(out, parts[0]+"."+parts[1])
		}
	}
	return out
}

// secretOf returns the google_secret_manager_secret address an expression uses.
func secretOf(a *hclsyntax.Attribute) string {
	for _, r := range refs(a) {
		if parts := strings.SplitN(r, ".", 3); len(parts) >= 2 && parts[0] == "google_secret_manager_secret" {
			return parts[0] + "." + parts[1]
		}
	}
	return ""
}

// functionOf returns the google_cloudfunctions2_function instance that references
// lead to: google_cloudfunctions2_function.collect["trends"].
func functionOf(rs []string) string {
	for _, r := range rs {
		rest, ok := strings.CutPrefix(r, funcType+".")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(rest, ".") // this module's instance keys hold no dots
		return funcType + "." + name
	}
	return ""
}

func outputValue(m *module, name string) *hclsyntax.Attribute {
	for _, b := range m.blocks {
		if b.Type == "output" && len(b.Labels) == 1 && b.Labels[0] == name {
			return b.Body.Attributes["value"]
		}
	}
	return nil
}

// testSourceObject stands in for the name of the zip made from the tree.
const testSourceObject = "src-ffffffffffffffffffffffffffffffff.zip"

// evalDefaults evaluates the locals with project_id = my-project, the variables at
// their defaults unless overridden, and stand-ins for the attributes of the lake
// bucket and the source zip object.
func evalDefaults(t *testing.T, m *module, overrides map[string]cty.Value) *evaluator {
	t.Helper()
	vars := map[string]cty.Value{"project_id": cty.StringVal("my-project")}
	for k, v := range overrides {
		vars[k] = v
	}
	// First the bucket's name, which the resource stand-in needs.
	ev, err := m.evaluate(vars, nil)
	if err != nil {
		t.Fatal(err)
	}
	bucket := ev.local(t, "lake_bucket_name")
	region := ev.vars["region"].AsString()
	ev, err = m.evaluate(vars, map[string]cty.Value{
		"google_storage_bucket_object": cty.ObjectVal(map[string]cty.Value{
			"src": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(testSourceObject)}),
		}),
		"google_storage_bucket": cty.ObjectVal(map[string]cty.Value{
			"lake": cty.ObjectVal(map[string]cty.Value{
				"name":     bucket,
				"location": cty.StringVal(strings.ToUpper(region)),
			}),
		}),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func mapKeys[V any](m map[string]V) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }
