package trends_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/source/trends"
)

func TestDecodeMultiline(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1700000000, 0).UTC()
	t1 := time.Unix(1700604800, 0).UTC()
	two := []string{"go", "rust"}
	tests := []struct {
		name    string
		body    string
		terms   []string
		want    trends.Timeline
		wantErr string // substring of the MalformedError; "" for success
	}{
		{
			name:  "string_time_comma_prefix_partial_last",
			terms: two,
			body: ")]}',\n" + `{"default":{"timelineData":[` +
				`{"time":"1700000000","formattedTime":"x","value":[57,12],"hasData":[true,true],"formattedValue":["57","12"]},` +
				`{"time":"1700604800","formattedTime":"y","value":[100,0],"hasData":[true,true],"formattedValue":["100","<1"],"isPartial":true}]}}`,
			want: trends.Timeline{Terms: two, Points: []trends.Point{
				{Time: t0, Values: []int{57, 12}, HasData: []bool{true, true}},
				{Time: t1, Values: []int{100, 0}, HasData: []bool{true, true}, Partial: true},
			}},
		},
		{
			name:  "number_time_short_prefix",
			terms: two[:1],
			body:  `)]}'` + `{"default":{"timelineData":[{"time":1700000000,"value":[3],"hasData":[true]}]}}`,
			want:  trends.Timeline{Terms: two[:1], Points: []trends.Point{{Time: t0, Values: []int{3}, HasData: []bool{true}}}},
		},
		{
			name:  "no_prefix_leading_whitespace",
			terms: two[:1],
			body:  "\n  " + `{"default":{"timelineData":[{"time":"1700000000","value":[3],"hasData":[true]}]}}`,
			want:  trends.Timeline{Terms: two[:1], Points: []trends.Point{{Time: t0, Values: []int{3}, HasData: []bool{true}}}},
		},
		{
			name:  "has_data_false_for_one_term",
			terms: two,
			body:  `)]}',{"default":{"timelineData":[{"time":"1700000000","value":[100,0],"hasData":[true,false]}]}}`,
			want:  trends.Timeline{Terms: two, Points: []trends.Point{{Time: t0, Values: []int{100, 0}, HasData: []bool{true, false}}}},
		},
		{
			name:  "missing_has_data_means_data",
			terms: two,
			body:  `)]}',{"default":{"timelineData":[{"time":"1700000000","value":[100,4]}]}}`,
			want:  trends.Timeline{Terms: two, Points: []trends.Point{{Time: t0, Values: []int{100, 4}, HasData: []bool{true, true}}}},
		},
		{
			name:  "integral_float_value",
			terms: two[:1],
			body:  `{"default":{"timelineData":[{"time":"1700000000","value":[57.0],"hasData":[true]}]}}`,
			want:  trends.Timeline{Terms: two[:1], Points: []trends.Point{{Time: t0, Values: []int{57}, HasData: []bool{true}}}},
		},
		{
			name:  "no_points_when_nothing_has_data",
			terms: two,
			body:  `)]}',{"default":{"timelineData":[],"averages":[]}}`,
			want:  trends.Timeline{Terms: two, Points: []trends.Point{}},
		},
		{name: "value_count_differs_from_terms", terms: two, body: `{"default":{"timelineData":[{"time":"1700000000","value":[5],"hasData":[true]}]}}`, wantErr: "1 values for 2 terms"},
		{name: "has_data_count_differs", terms: two, body: `{"default":{"timelineData":[{"time":"1700000000","value":[5,6],"hasData":[true]}]}}`, wantErr: "1 hasData flags"},
		{name: "fractional_value", terms: two[:1], body: `{"default":{"timelineData":[{"time":"1700000000","value":[5.5]}]}}`, wantErr: "whole number"},
		{name: "time_not_a_number", terms: two[:1], body: `{"default":{"timelineData":[{"time":"yesterday","value":[5]}]}}`, wantErr: "Unix seconds"},
		{name: "time_missing", terms: two[:1], body: `{"default":{"timelineData":[{"value":[5]}]}}`, wantErr: "no time"},
		{name: "no_default", terms: two, body: `)]}',{"error":"quota"}`, wantErr: `no "default"`},
		{name: "html_page", terms: two, body: "<html><body>Sorry…</body></html>", wantErr: "not JSON"},
		{name: "truncated", terms: two, body: `)]}',{"default":{"timelineData":[{"time":"17000`, wantErr: "truncated"},
		{name: "empty", terms: two, body: ")]}',\n", wantErr: "empty body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := trends.DecodeMultiline([]byte(tt.body), tt.terms)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("DecodeMultiline: %v", err)
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("timeline (-want +got):\n%s", diff)
				}
				return
			}
			var mal *trends.MalformedError
			if !errors.As(err, &mal) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want a *MalformedError mentioning %q", err, tt.wantErr)
			}
			if string(mal.Body) != tt.body {
				t.Errorf("MalformedError.Body = %q, want the exact body for quarantine", mal.Body)
			}
			if errors.Is(err, trends.ErrPermanent) || errors.Is(err, trends.ErrRateLimited) {
				t.Errorf("a malformed body is neither permanent nor a rate limit: %v", err)
			}
		})
	}
}

func TestDecodeExplore(t *testing.T) {
	t.Parallel()
	// The request object keeps its exact bytes, spacing and key order included: the token
	// is only valid with them.
	req := `{"time":"2025-11-14T01\\:00\\:00 2025-11-21T01\\:00\\:00", "resolution":"HOUR","locale":"ko","comparisonItem":[]}`
	tests := []struct {
		name      string
		body      string
		wantToken string
		wantErr   string
	}{
		{name: "timeseries_first", body: `)]}'` + "\n" + `{"widgets":[{"request":` + req + `,"token":"T1","id":"TIMESERIES"},{"request":{},"token":"R","id":"RELATED_QUERIES"}]}`, wantToken: "T1"},
		{name: "timeseries_not_first", body: `)]}',{"widgets":[{"request":{"a":1},"token":"R","id":"RELATED_QUERIES"},{"id":"TIMESERIES","token":"T2","request":` + req + `}]}`, wantToken: "T2"},
		{name: "no_prefix", body: `{"widgets":[{"request":` + req + `,"token":"T3","id":"TIMESERIES"}]}`, wantToken: "T3"},
		{name: "no_timeseries_widget", body: `)]}'{"widgets":[{"request":{},"token":"R","id":"RELATED_QUERIES"}]}`, wantErr: "no TIMESERIES widget among 1"},
		{name: "timeseries_without_token", body: `)]}'{"widgets":[{"request":{},"id":"TIMESERIES"}]}`, wantErr: "no token"},
		{name: "html_instead_of_json", body: `<!DOCTYPE html><html><title>Error 500</title>`, wantErr: "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			token, request, err := trends.DecodeExplore([]byte(tt.body))
			if tt.wantErr != "" {
				var mal *trends.MalformedError
				if !errors.As(err, &mal) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a *MalformedError mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if token != tt.wantToken || string(request) != req {
				t.Errorf("got token %q request %s, want %q and the request byte for byte", token, request, tt.wantToken)
			}
		})
	}
}
