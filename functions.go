// Package jobpulse is the Cloud Functions root package: its init registers every entry
// point with the Functions Framework, because the Go buildpack builds only the package
// at the module root. The handlers live in functions/…, thin over internal/pipeline.
// Every function deploys the same source zip and selects its handler by entry_point
// (infra/terraform). Nothing here may import DuckDB: the zip builds with CGO_ENABLED=0.
package jobpulse

import (
	"context"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/jobpulse/jobpulse/functions/collect"
	"github.com/jobpulse/jobpulse/functions/environ"
	"github.com/jobpulse/jobpulse/functions/process"
)

// entryPoint is one registered function: exactly one of http and cloudEvent is set.
type entryPoint struct {
	name       string
	http       func(http.ResponseWriter, *http.Request)
	cloudEvent func(context.Context, event.Event) error
}

// entryPoints are the functions this package registers, by the names Terraform's
// entry_point uses.
func entryPoints(env environ.Env) []entryPoint {
	return []entryPoint{
		// Cloud Scheduler → collect one source into the lake.
		{name: "CollectSaramin", http: collect.NewSaramin(env).ServeHTTP},
		{name: "CollectTrends", http: collect.NewTrends(env).ServeHTTP},
		{name: "CollectCertifications", http: collect.NewCertifications(env).ServeHTTP},
		// Eventarc (GCS object finalized) → process a committed raw run into BigQuery.
		{name: "ProcessRun", cloudEvent: process.New(env).ProcessRun},
	}
}

// init is the one registration the buildpack demands. Registering a name twice is
// fatal, so tests call the handlers, never init.
func init() {
	for _, e := range entryPoints(environ.Default()) {
		if e.http != nil {
			functions.HTTP(e.name, e.http)
		} else {
			functions.CloudEvent(e.name, e.cloudEvent)
		}
	}
}
