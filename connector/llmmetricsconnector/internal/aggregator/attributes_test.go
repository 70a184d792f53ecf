package aggregator

import (
	"path/filepath"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// The one-pass reader must read every span exactly as genai.ReadCall does.
func TestCallMatchesReadCall(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*", "traces*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var sa spanAttributes
	for _, f := range files {
		td, err := golden.ReadTraces(f)
		require.NoError(t, err)
		forEachSpan(td, func(s ptrace.Span) {
			sa.read(s.Attributes(), nil)
			assert.Equal(t, genai.ReadCall(s.Attributes()), sa.call(), "%s: span %s", f, s.Name())
		})
	}
	// Values of every type for every field.
	values := []func(pcommon.Value){
		func(v pcommon.Value) { v.SetStr("42") },
		func(v pcommon.Value) { v.SetStr("x") },
		func(v pcommon.Value) { v.SetInt(-3) },
		func(v pcommon.Value) { v.SetInt(7) },
		func(v pcommon.Value) { v.SetDouble(2.5) },
		func(v pcommon.Value) { v.SetDouble(8) },
		func(v pcommon.Value) { v.SetBool(true) },
		func(v pcommon.Value) { v.SetEmptySlice().AppendEmpty().SetStr("a") },
	}
	for _, set := range values {
		attrs := pcommon.NewMap()
		for f := range fieldCount {
			set(attrs.PutEmpty(fieldName(t, f)))
		}
		sa.read(attrs, nil)
		assert.Equal(t, genai.ReadCall(attrs), sa.call(), "attributes %v", attrs.AsRaw())
	}
}

func TestSpanDimensions(t *testing.T) {
	attrs := pcommon.NewMap()
	attrs.PutStr(genai.UserID, "alice")
	attrs.PutInt("tenant.id", 42)
	var sa spanAttributes
	sa.read(attrs, []string{"tenant.id", genai.UserID, "absent"})
	assert.Equal(t, []string{"42", "alice", ""}, sa.dims)
	sa.read(pcommon.NewMap(), []string{"tenant.id"})
	assert.Equal(t, []string{""}, sa.dims, "values of the previous span do not leak")
}

// fieldName finds the attribute name of a field through fieldOf, so that the test does
// not keep a second list of names.
func fieldName(t *testing.T, f field) string {
	for _, name := range []string{
		genai.OperationName, genai.ProviderName, genai.RequestModel, genai.ResponseModel, genai.ServerAddress,
		genai.ServerPort, genai.ErrorType, genai.ConversationID, genai.UserID, genai.AgentName, genai.ToolName,
		genai.UsageInputTokens, genai.UsageOutputTokens, genai.UsageCacheReadInputTokens,
		genai.UsageCacheCreationInputTokens, genai.UsageReasoningOutputTokens, genai.ResponseTimeToFirstChunk,
		genai.CostTotal, genai.WorkflowName, genai.EvaluationName, genai.EvaluationScoreValue, genai.QualityScore, genai.RedactionSummary,
	} {
		if g, ok := fieldOf(name); ok && g == f {
			return name
		}
	}
	t.Fatalf("field %d has no attribute name", f)
	return ""
}
