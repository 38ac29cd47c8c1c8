package warehouse

import "errors"

// ErrLocked is returned by Open when another process holds the database file: DuckDB
// allows one writer or any number of readers per file at a time. It is transient, so a
// caller that only reads (the monitor) waits for its next turn instead of failing.
var ErrLocked = errors.New("warehouse: the database file is in use by another process; try again when that process is done")
