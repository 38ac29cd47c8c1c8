// Package logging builds the slog loggers of jobpulse's binaries: text for people at a
// terminal, JSON with Cloud Logging's field names everywhere else.
package logging

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// Formats accepted by New.
const (
	FormatAuto = "auto"
	FormatText = "text"
	FormatJSON = "json"
)

// ParseLevel accepts debug, info, warn/warning and error.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "info", "":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
}

// CheckFormat validates a --log-format value.
func CheckFormat(f string) error {
	switch strings.ToLower(f) {
	case FormatAuto, FormatText, FormatJSON:
		return nil
	}
	return fmt.Errorf("log format %q: want auto, text or json", f)
}

// New returns a logger writing to w. FormatAuto picks text when w is a terminal.
func New(w io.Writer, format string, level slog.Level) *slog.Logger {
	format = strings.ToLower(format)
	if format == FormatAuto {
		format = FormatJSON
		if isTerminal(w) {
			format = FormatText
		}
	}
	if format == FormatText {
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: cloudLogging}))
}

// cloudLogging renames slog's keys to the ones Cloud Logging reads from structured
// stdout: severity (with its level names) and message.
func cloudLogging(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 {
		return a
	}
	switch a.Key {
	case slog.LevelKey:
		a.Key = "severity"
		switch lvl := a.Value.Any().(slog.Level); {
		case lvl >= slog.LevelError:
			a.Value = slog.StringValue("ERROR")
		case lvl >= slog.LevelWarn:
			a.Value = slog.StringValue("WARNING")
		case lvl >= slog.LevelInfo:
			a.Value = slog.StringValue("INFO")
		default:
			a.Value = slog.StringValue("DEBUG")
		}
	case slog.MessageKey:
		a.Key = "message"
	}
	return a
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
