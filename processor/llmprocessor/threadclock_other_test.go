//go:build !linux

package llmprocessor

import (
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/cputime"
)

// threadCPU is the CPU time of the calling OS thread, as precise as the platform allows.
func threadCPU() time.Duration { return cputime.Thread() }
