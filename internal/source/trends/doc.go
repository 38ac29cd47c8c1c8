// Package trends is the client of Google Trends interest over time, through the
// unofficial web flow (NID cookie → explore → TIMESERIES widget token → multiline), with
// request spacing, bounded retries, batching of keywords around a shared anchor term, and
// the rescaling that puts batches on one common scale.
//
// # Why batches carry an anchor
//
// Google scales every request to 0–100 by that request's own maximum (over all its terms
// and points), and a request holds at most five terms. Values from two requests are
// therefore not comparable as they come. Batches puts the same anchor term first in every
// batch, so each batch also measures the anchor, whose true popularity does not depend on
// the batch it is asked in.
//
// # Rescaling method
//
// For batch b, let A_b be the mean of the anchor's raw values over the points where the
// anchor has data (hasData) and the point is complete (not isPartial). The common-scale
// value of keyword k at time t is
//
//	interest_k(t) = raw_k,b(t) × 100 / A_b
//
// that is, k's interest as a percentage of the anchor's mean level over the window.
// Because the anchor's true mean is a fixed quantity of the window, the per-request scale
// factor cancels: raw_k,b(t) ≈ c_b × truth_k(t) and A_b ≈ c_b × mean(truth_anchor), so
// interest ≈ truth_k(t) × 100 / mean(truth_anchor) whatever c_b was. Values are comparable
// across batches and runs that use the same anchor and the same window (time range, geo);
// a different anchor or window is a different scale.
//
// Rules:
//   - partial points (the running week/day/hour) are rescaled and flagged, but never enter
//     A_b: their values move until the period closes;
//   - a keyword point without data (hasData false) has no interest (nil), not zero;
//   - when A_b is 0 or cannot be computed (the anchor has no data or no complete point) the
//     batch cannot be rescaled: every interest is nil and Rescaled.Reason says why;
//   - values are float64 and not rounded.
//
// The error of a rescaled value comes from Google's rounding to whole numbers: with x the
// unrounded 0–100 value of k in its request and y the anchor's unrounded mean there,
// interest lies within 100(x±0.5)/(y∓0.5), so relative error ≲ 0.5/x + 0.5/y. Choose an
// anchor that is popular (y large) but not so popular that it crushes the other terms of
// its batch to a few points (x small).
//
// Source is the seam where the official Trends API (alpha, consistently scaled data) can
// replace the web flow.
package trends
