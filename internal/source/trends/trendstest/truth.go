package trendstest

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// epoch anchors the long-term trend of every series.
var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// series is the shape of one keyword's popularity, drawn from its name.
type series struct {
	level, growth                 float64 // level at epoch; fraction gained per year
	yearAmp, yearPhase            float64
	weekAmp, weekPhase            float64
	dayAmp, dayPhase              float64
	wanderAmp, wanderPer, wanderP [3]float64
}

func newSeries(seed uint64, keyword string) series {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(normalize(keyword)))
	r := rand.New(rand.NewPCG(seed, h.Sum64()))
	s := series{
		level:     15 + 85*r.Float64(),
		growth:    -0.1 + 0.4*r.Float64(),
		yearAmp:   0.05 + 0.25*r.Float64(),
		yearPhase: 2 * math.Pi * r.Float64(),
		weekAmp:   0.05 + 0.15*r.Float64(),
		weekPhase: 2 * math.Pi * r.Float64(),
		dayAmp:    0.1 + 0.3*r.Float64(),
		dayPhase:  2 * math.Pi * r.Float64(),
	}
	for i := range s.wanderAmp {
		s.wanderAmp[i] = 0.02 + 0.1*r.Float64()
		s.wanderPer[i] = 20 + 380*r.Float64() // days
		s.wanderP[i] = 2 * math.Pi * r.Float64()
	}
	return s
}

// at is the series' true popularity at t: a level with a long-term trend, yearly, weekly
// and daily cycles, and slow wander. Every factor stays positive, so no known keyword is
// ever exactly zero.
func (s series) at(t time.Time) float64 {
	days := t.Sub(epoch).Hours() / 24
	years := days / 365.25
	v := s.level * max(0.2, 1+s.growth*years)
	v *= 1 + s.yearAmp*math.Sin(2*math.Pi*years+s.yearPhase)
	v *= 1 + s.weekAmp*math.Sin(2*math.Pi*days/7+s.weekPhase)
	v *= 1 + s.dayAmp*math.Sin(2*math.Pi*days+s.dayPhase)
	w := 1.0
	for i := range s.wanderAmp {
		w += s.wanderAmp[i] * math.Sin(2*math.Pi*days/s.wanderPer[i]+s.wanderP[i])
	}
	return v * w
}

// Popularity is the ground truth of keyword at t for seed, on no particular scale: what
// the fake scales per request as Google does. Keywords are matched case-insensitively.
func Popularity(seed uint64, keyword string, t time.Time) float64 {
	return newSeries(seed, keyword).at(t)
}

// normalize is how Google matches terms: case and surrounding space do not matter.
func normalize(keyword string) string { return strings.ToLower(strings.TrimSpace(keyword)) }
