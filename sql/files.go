// Package sqlfiles embeds the SQL models, checks and seed tables under sql/, one folder
// per BigQuery dataset (meta, staging, external, core).
package sqlfiles

import "embed"

// FS holds every file under sql/ except Go sources.
//
//go:embed meta staging external core queries
var FS embed.FS
