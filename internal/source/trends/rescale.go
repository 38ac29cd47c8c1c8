package trends

import (
	"fmt"
	"strings"
	"time"
)

// Rescaled is one batch's timeline on the anchor's common scale (see the package doc).
type Rescaled struct {
	Anchor string
	// AnchorMean is A_b, the mean of the anchor's raw values over the complete points
	// where it has data; 0 when it could not be computed.
	AnchorMean float64
	// AnchorPoints is the number of points that entered AnchorMean.
	AnchorPoints int
	// Reason says why the batch could not be rescaled (every Interest is nil); empty when
	// it was.
	Reason string
	// Points hold every term of the timeline, the anchor included, term by term in the
	// timeline's order and each in time order.
	Points []RescaledPoint
}

// RescaledPoint is one term at one point in time.
type RescaledPoint struct {
	Term string
	Time time.Time
	// Raw is Google's 0–100 value within the request.
	Raw int
	// Interest is Raw × 100 / AnchorMean: the percentage of the anchor's mean level over
	// the window. Nil when the term has no data there or the batch could not be rescaled.
	Interest *float64
	HasData  bool
	Partial  bool
	// AnchorMean is the A_b this value was rescaled with (repeated for flat rows).
	AnchorMean float64
}

// Rescale puts tl on the scale of anchor, which must be one of tl's terms (matched
// case-insensitively, as Google does). A batch whose anchor has no data is not an error:
// its interests are nil and Reason says why.
func Rescale(tl Timeline, anchor string) (Rescaled, error) {
	a := -1
	for i, t := range tl.Terms {
		if strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(anchor)) {
			a = i
			break
		}
	}
	if a < 0 {
		return Rescaled{}, fmt.Errorf("rescale: anchor %q is not among the terms %q", anchor, tl.Terms)
	}
	for i, p := range tl.Points {
		if len(p.Values) != len(tl.Terms) || len(p.HasData) != len(tl.Terms) {
			return Rescaled{}, fmt.Errorf("rescale: point %d has %d values and %d hasData flags for %d terms", i, len(p.Values), len(p.HasData), len(tl.Terms))
		}
	}
	out := Rescaled{Anchor: tl.Terms[a]}
	sum := 0
	for _, p := range tl.Points {
		if p.HasData[a] && !p.Partial {
			sum += p.Values[a]
			out.AnchorPoints++
		}
	}
	switch {
	case out.AnchorPoints == 0:
		out.Reason = fmt.Sprintf("anchor %q has no data on any complete point of the window: this batch cannot be put on the common scale; choose a more searched anchor or a longer window", out.Anchor)
	case sum == 0:
		out.Reason = fmt.Sprintf("anchor %q is 0 on all %d complete points: this batch cannot be put on the common scale; choose a more searched anchor", out.Anchor, out.AnchorPoints)
	default:
		out.AnchorMean = float64(sum) / float64(out.AnchorPoints)
	}
	out.Points = make([]RescaledPoint, 0, len(tl.Terms)*len(tl.Points))
	// One backing array for the interests instead of one allocation per value.
	vals := make([]float64, len(tl.Terms)*len(tl.Points))
	for j, term := range tl.Terms {
		for _, p := range tl.Points {
			rp := RescaledPoint{Term: term, Time: p.Time, Raw: p.Values[j], HasData: p.HasData[j], Partial: p.Partial, AnchorMean: out.AnchorMean}
			if out.AnchorMean > 0 && p.HasData[j] {
				v := &vals[len(out.Points)]
				*v = float64(p.Values[j]) * 100 / out.AnchorMean
				rp.Interest = v
			}
			out.Points = append(out.Points, rp)
		}
	}
	return out, nil
}
