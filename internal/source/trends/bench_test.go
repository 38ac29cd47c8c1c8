package trends_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jobpulse/jobpulse/internal/source/trends"
)

// BenchmarkDecodeMultiline measures decoding one five-year weekly answer for a full batch
// (5 terms, 260 points): the client's work per query on top of the network, and the
// normalizer's per stored page.
func BenchmarkDecodeMultiline(b *testing.B) {
	terms := []string{"개발자", "파이썬", "Kubernetes", "데이터 엔지니어", "SQL"}
	first := time.Date(2021, 11, 21, 0, 0, 0, 0, time.UTC)
	var sb strings.Builder
	sb.WriteString(")]}',\n{\"default\":{\"timelineData\":[")
	for i := range 260 {
		if i > 0 {
			sb.WriteByte(',')
		}
		t := first.AddDate(0, 0, 7*i)
		v := []int{(i*7 + 13) % 101, (i*3 + 50) % 101, i % 60, 100 - i%40, (i * 11) % 101}
		fmt.Fprintf(&sb, `{"time":"%d","formattedTime":"%s","formattedAxisTime":"%s","value":[%d,%d,%d,%d,%d],"hasData":[true,true,true,true,true],"formattedValue":["%d","%d","%d","%d","%d"]`,
			t.Unix(), t.Format("2006. 1. 2."), t.Format("2006. 1. 2."), v[0], v[1], v[2], v[3], v[4], v[0], v[1], v[2], v[3], v[4])
		if i == 259 {
			sb.WriteString(`,"isPartial":true`)
		}
		sb.WriteByte('}')
	}
	sb.WriteString(`],"averages":[]}}`)
	body := []byte(sb.String())

	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		tl, err := trends.DecodeMultiline(body, terms)
		if err != nil || len(tl.Points) != 260 || !tl.Points[259].Partial {
			b.Fatalf("decode: %v", err)
		}
	}
}
