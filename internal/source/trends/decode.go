package trends

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Timeline is interest over time of some terms, as Google scaled it for one request.
type Timeline struct {
	// Terms are the comparison items in request order; Point.Values follow it.
	Terms  []string
	Points []Point
}

// Point is one period of a timeline.
type Point struct {
	// Time is the start of the period, UTC.
	Time time.Time
	// Values are 0–100 per term, scaled by the request's own maximum.
	Values []int
	// HasData is false where Google had too little data for a term (its value is 0).
	HasData []bool
	// Partial marks the running period, whose value still moves.
	Partial bool
}

// xssiPrefix guards Google's JSON against cross-site script inclusion.
var xssiPrefix = []byte(")]}'")

// stripPrefix removes the XSSI guard in any of its forms — ")]}'", ")]}'," — and the
// whitespace around it; a body without it is returned trimmed.
func stripPrefix(b []byte) []byte {
	b = bytes.TrimLeft(b, " \t\r\n\ufeff")
	if bytes.HasPrefix(b, xssiPrefix) {
		b = b[len(xssiPrefix):]
		b = bytes.TrimPrefix(b, []byte(","))
	}
	return bytes.TrimSpace(b)
}

// widget is the part of an explore widget the flow needs.
type widget struct {
	ID    string `json:"id"`
	Token string `json:"token"`
	// Request is kept as received: multiline accepts the token only with these exact bytes.
	Request json.RawMessage `json:"request"`
}

// decodeExplore finds the TIMESERIES widget's token and request.
func decodeExplore(raw []byte) (token string, request []byte, err error) {
	var body struct {
		Widgets []widget `json:"widgets"`
	}
	if err := json.Unmarshal(stripPrefix(raw), &body); err != nil {
		return "", nil, &MalformedError{Endpoint: "explore", Reason: jsonReason(err, raw), Body: raw}
	}
	for _, w := range body.Widgets {
		if w.ID != "TIMESERIES" {
			continue
		}
		if w.Token == "" || len(w.Request) == 0 || w.Request[0] != '{' {
			return "", nil, &MalformedError{Endpoint: "explore", Reason: "the TIMESERIES widget has no token or no request object", Body: raw}
		}
		return w.Token, []byte(w.Request), nil
	}
	return "", nil, &MalformedError{Endpoint: "explore", Reason: fmt.Sprintf("no TIMESERIES widget among %d widgets", len(body.Widgets)), Body: raw}
}

// unixTime decodes Unix seconds sent as a string ("1700000000", as Google does) or a number.
type unixTime int64

func (u *unixTime) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("time %s: want Unix seconds", truncateText(string(b), 30))
	}
	*u = unixTime(n)
	return nil
}

type multilineBody struct {
	Default *struct {
		TimelineData []struct {
			Time *unixTime `json:"time"`
			// Value is decoded as floats, not ints, to tolerate 57.0; whole numbers are
			// checked below (cheaper than a custom decoder per value).
			Value     []float64 `json:"value"`
			HasData   []bool    `json:"hasData"`
			IsPartial bool      `json:"isPartial"`
		} `json:"timelineData"`
	} `json:"default"`
}

// DecodeMultiline decodes a multiline response (with or without its XSSI prefix) whose
// comparison items were terms. A body that is not the expected JSON, or whose value counts
// do not match the terms, is a *MalformedError carrying raw for quarantine. A timeline with
// no points (Google's answer when no term has data) is not an error.
func DecodeMultiline(raw []byte, terms []string) (Timeline, error) {
	bad := func(format string, a ...any) (Timeline, error) {
		return Timeline{}, &MalformedError{Endpoint: "multiline", Reason: fmt.Sprintf(format, a...), Body: raw}
	}
	var body multilineBody
	if err := json.Unmarshal(stripPrefix(raw), &body); err != nil {
		return bad("%s", jsonReason(err, raw))
	}
	if body.Default == nil {
		return bad("no \"default\" object")
	}
	data := body.Default.TimelineData
	tl := Timeline{Terms: append([]string(nil), terms...), Points: make([]Point, 0, len(data))}
	// One backing array for all values: a five-year timeline has ~260 points.
	values := make([]int, len(data)*len(terms))
	has := make([]bool, len(data)*len(terms))
	for i, d := range data {
		if d.Time == nil {
			return bad("point %d has no time", i)
		}
		if len(d.Value) != len(terms) {
			return bad("point %d has %d values for %d terms", i, len(d.Value), len(terms))
		}
		p := Point{
			Time:    time.Unix(int64(*d.Time), 0).UTC(),
			Values:  values[i*len(terms) : (i+1)*len(terms) : (i+1)*len(terms)],
			HasData: has[i*len(terms) : (i+1)*len(terms) : (i+1)*len(terms)],
			Partial: d.IsPartial,
		}
		for j, v := range d.Value {
			if v != math.Trunc(v) || math.Abs(v) > 1e9 {
				return bad("point %d: value %v is not a whole number", i, v)
			}
			p.Values[j] = int(v)
		}
		switch len(d.HasData) {
		case len(terms):
			copy(p.HasData, d.HasData)
		case 0:
			// Older answers omit hasData: a value was reported, so take it as data.
			for j := range p.HasData {
				p.HasData[j] = true
			}
		default:
			return bad("point %d has %d hasData flags for %d terms", i, len(d.HasData), len(terms))
		}
		tl.Points = append(tl.Points, p)
	}
	return tl, nil
}

// jsonReason describes a decoding failure, telling a truncated body from other garbage.
func jsonReason(err error, raw []byte) string {
	body := stripPrefix(raw)
	var syn *json.SyntaxError
	switch {
	case len(body) == 0:
		return "empty body"
	case err.Error() == "unexpected end of JSON input":
		return "truncated JSON"
	case errors.As(err, &syn):
		return fmt.Sprintf("not JSON at byte %d (%v); body starts %q", syn.Offset, err, snippet(body, 60))
	}
	return fmt.Sprintf("%v; body starts %q", err, snippet(body, 60))
}

func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
