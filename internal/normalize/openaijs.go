package normalize

import (
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// openAIJSScope is the instrumentation scope of @opentelemetry/instrumentation-openai; its
// log records are attributed to the openai_js source.
const openAIJSScope = "@opentelemetry/instrumentation-openai"

// openAIJS wraps the plain-string gen_ai.system_instructions of the JS OpenAI Responses
// instrumentation into the semconv part list.
func (s *state) openAIJS() {
	v, ok := s.attrs.Get(genai.SystemInstructions)
	if !ok || !isPlainString(v) {
		return
	}
	s.putStr(genai.SystemInstructions, encodeParts([]genai.Part{genai.TextPart(v.Str())}))
}
