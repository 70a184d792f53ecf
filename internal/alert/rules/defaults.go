package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/expr"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/series"
	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// knownMetrics are the metrics the llmmetrics connector emits, by kind.
var knownMetrics = map[string]series.Kind{
	genai.MetricClientOperationDuration: series.Histogram, genai.MetricClientTokenUsage: series.Histogram,
	genai.MetricServerTimeToFirstToken: series.Histogram, genai.MetricServerTimePerOutputTok: series.Histogram,
	genai.MetricToolDuration: series.Histogram, genai.MetricAgentDuration: series.Histogram,
	genai.MetricGraphRequestServer: series.Histogram, genai.MetricEvaluationScore: series.Histogram,
	genai.MetricCost: series.Counter, genai.MetricRequests: series.Counter, genai.MetricErrors: series.Counter,
	genai.MetricTokens: series.Counter, genai.MetricToolCalls: series.Counter, genai.MetricAgentInvocations: series.Counter,
	genai.MetricGraphRequests: series.Counter, genai.MetricGraphRequestsFailed: series.Counter,
	genai.MetricRedactionFindings: series.Counter, genai.MetricEvaluationResults: series.Counter,
}

// Catalog knows the kind of every metric the llmmetrics connector emits, so that a rule
// that takes a quantile of a counter fails at load, not at every evaluation.
func Catalog(metric string) (series.Kind, bool) {
	k, ok := knownMetrics[metric]
	return k, ok
}

// checkKnownMetrics rejects metric names in the namespaces the llmmetrics connector owns
// (otelcol_llm., gen_ai.) that it does not emit: a typo there would silently never fire.
// Other names may come from any pipeline and are accepted.
func checkKnownMetrics(n expr.Node) error {
	for _, m := range expr.Metrics(n) {
		if _, ok := knownMetrics[m]; ok {
			continue
		}
		if strings.HasPrefix(m, genai.Namespace) || strings.HasPrefix(m, "gen_ai.") {
			return fmt.Errorf("unknown metric %q: the llmmetrics connector emits no such metric; did you mean %q?", m, closestMetric(m))
		}
	}
	return nil
}

// closestMetric is the known metric name with the smallest edit distance to m.
func closestMetric(m string) string {
	best, bestD := "", -1
	for k := range knownMetrics {
		if d := editDistance(m, k); bestD < 0 || d < bestD || d == bestD && k < best {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// Default rule names; a user rule with the same name replaces the default.
const (
	DefaultLatency = "LLMLatencyP99High"
	DefaultErrors  = "LLMErrorRateHigh"
	DefaultCost    = "LLMCostAboveBaseline"
	DefaultQuality = "LLMQualityScoreLow"
)

// Defaults are the rules every deployment starts with, over the llmmetrics connector's
// metrics, per service and model.
func Defaults() []Config {
	by := fmt.Sprintf("%s, %s", genai.ServiceName, genai.RequestModel)
	model := fmt.Sprintf(`{{ index $labels %q }}`, genai.RequestModel)
	service := fmt.Sprintf(`{{ index $labels %q }}`, genai.ServiceName)
	return []Config{
		{
			Alert:    DefaultLatency,
			Expr:     fmt.Sprintf("histogram_quantile(0.99, sum by (%s) (rate(%s[5m]))) > 5", by, genai.MetricClientOperationDuration),
			For:      5 * time.Minute,
			Severity: SeverityWarning,
			Annotations: map[string]string{
				"summary":     fmt.Sprintf("LLM p99 latency {{ humanizeDuration $value }} > 5s (%s, %s)", service, model),
				"description": "The 99th percentile of gen_ai.client.operation.duration over 5 minutes has stayed above 5 seconds for 5 minutes.",
			},
		},
		{
			Alert: DefaultErrors,
			Expr: fmt.Sprintf("sum by (%s) (rate(%s[2m])) / sum by (%s) (rate(%s[2m])) > 0.05",
				by, genai.MetricErrors, by, genai.MetricRequests),
			Severity: SeverityCritical,
			Annotations: map[string]string{
				"summary":     fmt.Sprintf("LLM error rate {{ humanizePercentage $value }} > 5%% (%s, %s)", service, model),
				"description": "More than 5% of GenAI operations failed over the last 2 minutes.",
			},
		},
		{
			Alert:    DefaultCost,
			Kind:     KindAnomaly,
			Expr:     fmt.Sprintf("sum by (%s) (increase(%s[1h]))", genai.ServiceName, genai.MetricCost),
			Severity: SeverityWarning,
			Anomaly:  &AnomalyConfig{Method: MethodRatio, Factor: 1.5, Direction: DirectionAbove},
			Annotations: map[string]string{
				"summary":     fmt.Sprintf("LLM cost ${{ printf \"%%.2f\" $value }} in the last hour is above 150%% of its baseline (%s)", service),
				"description": "Spend over the last hour exceeds 1.5 times its baseline: the same hour last week, else yesterday, else the median of the last day.",
			},
		},
		{
			Alert: DefaultQuality,
			Expr: fmt.Sprintf("histogram_avg(sum by (%s) (increase(%s{%s=%q}[1h]))) < 0.8",
				genai.ServiceName, genai.MetricEvaluationScore, genai.EvaluationName, genai.EvaluationQuality),
			Severity: SeverityHigh,
			Annotations: map[string]string{
				"summary":     fmt.Sprintf("LLM quality score {{ printf \"%%.2f\" $value }} < 0.8 (%s)", service),
				"description": "The average combined quality score (the llm processor's built-in evaluators) over the last hour is below 0.8.",
			},
		},
	}
}
