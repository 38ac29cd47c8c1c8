package process

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"

	"google.golang.org/api/googleapi"

	"github.com/jobpulse/jobpulse/internal/warehouse/bigquery"
)

// Retryable reports whether err may go away by itself — storage or BigQuery
// unavailable, throttled or too slow — so that Eventarc should deliver the event again.
// Everything else (bad data, bad SQL, a failed check, a missing object) is permanent.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var je *bigquery.JobError
	if errors.As(err, &je) {
		// The reasons a later attempt can get past (BigQuery's error messages reference).
		switch je.Reason {
		case "backendError", "internalError", "jobBackendError", "jobInternalError",
			"rateLimitExceeded", "jobRateLimitExceeded", "quotaExceeded", "tableUnavailable":
			return true
		}
		return false
	}
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code == http.StatusRequestTimeout || ge.Code == http.StatusTooManyRequests || ge.Code >= 500
	}
	var ne net.Error
	return errors.As(err, &ne)
}
