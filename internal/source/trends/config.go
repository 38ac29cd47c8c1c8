package trends

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// DefaultBaseURL is the production web front end.
const DefaultBaseURL = "https://trends.google.com"

// MaxTerms is the most terms Google compares in one request.
const MaxTerms = 5

// Config configures a Client. The comments name the environment variables the CLI and
// the functions read them from.
type Config struct {
	// BaseURL is where /trends/… is served (TRENDS_API_URL).
	BaseURL string
	// Geo is the region every term is measured in, e.g. KR or KR-11 (TRENDS_GEO).
	Geo string
	// HL is the interface language Google answers in (TRENDS_HL).
	HL string
	// TZ is the time zone offset in minutes with Google's sign: KST is -540 (TRENDS_TZ).
	TZ int
	// Time is the default time range of a query (TRENDS_TIME): today 5-y, today 12-m,
	// today 3-m, now 7-d, or "YYYY-MM-DD YYYY-MM-DD".
	Time string
	// Timeout bounds one HTTP attempt, body included (TRENDS_TIMEOUT).
	Timeout time.Duration
	// MaxAttempts bounds the tries of one API request, explore or multiline
	// (TRENDS_MAX_ATTEMPTS; 1 = no retry).
	MaxAttempts int
	// BaseDelay and MaxDelay shape exponential backoff with jitter
	// (TRENDS_BASE_DELAY, TRENDS_MAX_DELAY).
	BaseDelay, MaxDelay time.Duration
	// Spacing is the least time between the starts of any two requests of one Client,
	// cookie requests included (TRENDS_SPACING). Google's limits are undocumented and its
	// blocks last hours, so the client paces itself instead of relying on 429s.
	Spacing time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for; a longer one fails
	// the request as rate limited instead of stalling the run (TRENDS_MAX_RETRY_AFTER).
	MaxRetryAfter time.Duration
}

// DefaultConfig returns the production settings: South Korea, Korean, KST, five years.
func DefaultConfig() Config {
	return Config{
		BaseURL:       DefaultBaseURL,
		Geo:           "KR",
		HL:            "ko",
		TZ:            -540,
		Time:          "today 5-y",
		Timeout:       30 * time.Second,
		MaxAttempts:   5,
		BaseDelay:     5 * time.Second,
		MaxDelay:      time.Minute,
		Spacing:       2 * time.Second,
		MaxRetryAfter: 2 * time.Minute,
	}
}

var (
	geoPattern = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`)
	hlPattern  = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z]{2,4})?$`)
)

// Validate reports every problem at once.
func (c Config) Validate() error {
	var errs []error
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("TRENDS_API_URL %q: want an http(s) URL such as %s", c.BaseURL, DefaultBaseURL))
	}
	if !geoPattern.MatchString(c.Geo) {
		errs = append(errs, fmt.Errorf("TRENDS_GEO %q: want an ISO country code such as KR (or a region such as KR-11)", c.Geo))
	}
	if !hlPattern.MatchString(c.HL) {
		errs = append(errs, fmt.Errorf("TRENDS_HL %q: want a language code such as ko or en-US", c.HL))
	}
	// Offsets run from UTC+14 (-840) to UTC-12 (720), in Google's inverted sign.
	if c.TZ < -840 || c.TZ > 720 {
		errs = append(errs, fmt.Errorf("TRENDS_TZ %d: want minutes in -840..720 with Google's sign (KST is -540)", c.TZ))
	}
	if err := ValidateTimeRange(c.Time); err != nil {
		errs = append(errs, fmt.Errorf("TRENDS_TIME: %w", err))
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("TRENDS_TIMEOUT %s: want > 0", c.Timeout))
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("TRENDS_MAX_ATTEMPTS %d: want ≥ 1", c.MaxAttempts))
	}
	if c.BaseDelay < 0 || c.MaxDelay < c.BaseDelay {
		errs = append(errs, fmt.Errorf("TRENDS_BASE_DELAY %s, TRENDS_MAX_DELAY %s: want 0 ≤ base ≤ max", c.BaseDelay, c.MaxDelay))
	}
	if c.Spacing < 0 {
		errs = append(errs, fmt.Errorf("TRENDS_SPACING %s: want ≥ 0 (2s is safe)", c.Spacing))
	}
	if c.MaxRetryAfter < 0 {
		errs = append(errs, fmt.Errorf("TRENDS_MAX_RETRY_AFTER %s: want ≥ 0", c.MaxRetryAfter))
	}
	return errors.Join(errs...)
}

// relativeRanges are the relative time ranges this client asks for.
var relativeRanges = []string{"today 5-y", "today 12-m", "today 3-m", "now 7-d"}

// firstDay is the first day Google Trends has data for.
var firstDay = time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)

// ValidateTimeRange checks a time range: one of today 5-y, today 12-m, today 3-m,
// now 7-d, or two dates "YYYY-MM-DD YYYY-MM-DD" (from ≤ to, from 2004-01-01 on).
func ValidateTimeRange(s string) error {
	for _, r := range relativeRanges {
		if s == r {
			return nil
		}
	}
	from, to, ok := strings.Cut(s, " ")
	want := fmt.Sprintf("want one of %s, or \"YYYY-MM-DD YYYY-MM-DD\"", strings.Join(relativeRanges, ", "))
	if !ok {
		return fmt.Errorf("time range %q: %s", s, want)
	}
	f, err1 := time.Parse(time.DateOnly, from)
	t, err2 := time.Parse(time.DateOnly, to)
	switch {
	case err1 != nil || err2 != nil:
		return fmt.Errorf("time range %q: %s", s, want)
	case t.Before(f):
		return fmt.Errorf("time range %q: the end is before the start", s)
	case f.Before(firstDay):
		return fmt.Errorf("time range %q: Google Trends has data from 2004-01-01 on", s)
	}
	return nil
}
