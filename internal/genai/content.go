package genai

import (
	"encoding/json"
	"strings"
)

// Helpers for building semconv message content and tool definitions, shared by every
// converter (the normalizer, the llmproxy receiver).

// ModalityOf derives a semconv part modality (image, audio, video) from a MIME type, or
// returns def when the MIME type names none of them.
func ModalityOf(mime, def string) string {
	switch {
	case strings.HasPrefix(mime, "image/"):
		return "image"
	case strings.HasPrefix(mime, "audio/"):
		return "audio"
	case strings.HasPrefix(mime, "video/"):
		return "video"
	}
	return def
}

// ToolDefinition is one entry of gen_ai.tool.definitions.
type ToolDefinition struct {
	Type        string          `json:"type"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}
