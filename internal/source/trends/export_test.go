package trends

// DecodeExplore exposes the explore decoder to the external tests.
var DecodeExplore = decodeExplore
