package logging

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestNew_jsonUsesCloudLoggingKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		level slog.Level
		want  string
	}{
		{slog.LevelDebug, "DEBUG"}, {slog.LevelInfo, "INFO"}, {slog.LevelWarn, "WARNING"}, {slog.LevelError, "ERROR"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		New(&buf, FormatAuto, slog.LevelDebug).Log(t.Context(), tt.level, "hello", "run_id", "r1")
		var got map[string]any
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("auto format to a buffer must be JSON: %v (%s)", err, buf.String())
		}
		if got["severity"] != tt.want || got["message"] != "hello" || got["run_id"] != "r1" {
			t.Errorf("got %v, want severity %s, message hello, run_id r1", got, tt.want)
		}
		if _, ok := got["level"]; ok {
			t.Errorf("level key must be renamed: %v", got)
		}
	}
}

func TestParseLevelAndFormat(t *testing.T) {
	t.Parallel()
	if l, err := ParseLevel("warning"); err != nil || l != slog.LevelWarn {
		t.Errorf("ParseLevel(warning) = %v, %v", l, err)
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error("ParseLevel(loud) succeeded")
	}
	if err := CheckFormat("yaml"); err == nil {
		t.Error("CheckFormat(yaml) succeeded")
	}
}
