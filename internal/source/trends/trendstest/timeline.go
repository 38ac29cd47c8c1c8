package trendstest

import (
	"fmt"
	"strings"
	"time"
)

// Resolutions of a timeline, as the widget request names them.
const (
	resolutionHour = "HOUR"
	resolutionDay  = "DAY"
	resolutionWeek = "WEEK"
)

// span is what a time range resolves to on a given day.
type span struct {
	points     []time.Time // period starts, UTC
	resolution string
	partial    bool   // the last period is still running
	widgetTime string // the range as the widget request spells it
}

var firstDay = time.Date(2004, 1, 1, 0, 0, 0, 0, time.UTC)

// resolveSpan turns a time range into points as Google does: hourly for now 7-d, daily
// for today 3-m and for explicit ranges up to 90 days, weekly (weeks start on Sunday)
// otherwise. Days are those of the request's time zone; daily and weekly points are
// stamped at UTC midnight of their date, hourly ones at the hour.
func resolveSpan(timeRange string, now time.Time, tz int) (span, error) {
	local := now.In(time.FixedZone("", -tz*60))
	today := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	switch timeRange {
	case "now 7-d":
		end := now.UTC().Truncate(time.Hour)
		start := end.Add(-167 * time.Hour)
		sp := span{resolution: resolutionHour, partial: true,
			widgetTime: hourStamp(start) + " " + hourStamp(end.Add(time.Hour))}
		for t := start; !t.After(end); t = t.Add(time.Hour) {
			sp.points = append(sp.points, t)
		}
		return sp, nil
	case "today 3-m":
		return days(today.AddDate(0, -3, 0), today, today), nil
	case "today 12-m":
		return weeks(today.AddDate(-1, 0, 0), today, today), nil
	case "today 5-y":
		return weeks(today.AddDate(-5, 0, 0), today, today), nil
	}
	a, b, ok := strings.Cut(timeRange, " ")
	from, err1 := time.Parse(time.DateOnly, a)
	to, err2 := time.Parse(time.DateOnly, b)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return span{}, fmt.Errorf("unknown time range %q", timeRange)
	case to.Before(from):
		return span{}, fmt.Errorf("time range %q ends before it starts", timeRange)
	case from.Before(firstDay):
		return span{}, fmt.Errorf("time range %q starts before 2004", timeRange)
	case from.After(today):
		return span{}, fmt.Errorf("time range %q starts in the future", timeRange)
	}
	if to.After(today) {
		to = today
	}
	if to.Sub(from) < 90*24*time.Hour {
		return days(from, to, today), nil
	}
	return weeks(from, to, today), nil
}

func days(from, to, today time.Time) span {
	sp := span{resolution: resolutionDay, partial: !to.Before(today), widgetTime: from.Format(time.DateOnly) + " " + to.Format(time.DateOnly)}
	for t := from; !t.After(to); t = t.AddDate(0, 0, 1) {
		sp.points = append(sp.points, t)
	}
	return sp
}

func weeks(from, to, today time.Time) span {
	sp := span{resolution: resolutionWeek, widgetTime: from.Format(time.DateOnly) + " " + to.Format(time.DateOnly)}
	first := from.AddDate(0, 0, -int(from.Weekday()))
	for t := first; !t.After(to); t = t.AddDate(0, 0, 7) {
		sp.points = append(sp.points, t)
	}
	last := sp.points[len(sp.points)-1]
	sp.partial = last.AddDate(0, 0, 7).After(today)
	return sp
}

// hourStamp is Google's spelling of an instant in widget requests, colons escaped.
func hourStamp(t time.Time) string {
	return strings.ReplaceAll(t.UTC().Format("2006-01-02T15:04:05"), ":", `\:`)
}

func formatTime(t time.Time, resolution string) string {
	switch resolution {
	case resolutionHour:
		return t.In(kst).Format("2006. 1. 2. 15:04")
	case resolutionWeek:
		return t.Format("2006. 1. 2.") + " ~ " + t.AddDate(0, 0, 6).Format("2006. 1. 2.")
	}
	return t.Format("2006. 1. 2.")
}

var kst = time.FixedZone("KST", 9*60*60)
