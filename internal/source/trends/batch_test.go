package trends_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobpulse/jobpulse/internal/source/trends"
)

func TestBatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		keywords []string
		anchor   string
		size     int
		want     [][]string
		wantErr  bool
	}{
		{
			name:     "every_batch_starts_with_the_anchor",
			keywords: []string{"k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9"},
			anchor:   "a", size: 5,
			want: [][]string{{"a", "k1", "k2", "k3", "k4"}, {"a", "k5", "k6", "k7", "k8"}, {"a", "k9"}},
		},
		{
			name:     "duplicates_blanks_and_the_anchor_dropped_first_spelling_kept",
			keywords: []string{" Go ", "파이썬", "go", "", "SQL", "  ", "python", "Python", "sql", "데이터"},
			anchor:   " Python", size: 3,
			want: [][]string{{"Python", "Go", "파이썬"}, {"Python", "SQL", "데이터"}},
		},
		{
			name:     "pairs",
			keywords: []string{"x", "y"},
			anchor:   "a", size: 2,
			want: [][]string{{"a", "x"}, {"a", "y"}},
		},
		{name: "no_keywords_no_batches", keywords: []string{"a", " "}, anchor: "a", size: 5, want: nil},
		{name: "size_one_has_no_room_for_a_keyword", keywords: []string{"x"}, anchor: "a", size: 1, wantErr: true},
		{name: "size_six_is_more_than_google_compares", keywords: []string{"x"}, anchor: "a", size: 6, wantErr: true},
		{name: "empty_anchor", keywords: []string{"x"}, anchor: "  ", size: 5, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := trends.Batches(tt.keywords, tt.anchor, tt.size)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Batches (-want +got):\n%s", diff)
			}
		})
	}
}
