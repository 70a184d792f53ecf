package aggregator

import "github.com/otelcol-llm/otelcol-llm/connector/llmmetricsconnector/internal/aggregate"

// callSeries holds every metric of one GenAI operation attribute set.
type callSeries struct {
	duration, inputTokens, outputTokens, timeToFirstToken, timePerOutputToken aggregate.Histogram
	requests, errors, cost                                                    aggregate.Sum
	tokens                                                                    [len(tokenTypes)]aggregate.Sum

	// provider caches this series' service-to-provider edge while its ends are unchanged
	// (they can change on the overflow series) and the edge table's epoch says the edge
	// has not expired.
	provider                 *aggregate.Series[edgeSeries]
	providerFrom, providerTo string
	providerEpoch            uint64
}

// invocationSeries counts executions of one tool or agent, and their duration.
type invocationSeries struct {
	count    aggregate.Sum
	duration aggregate.Histogram
}

type edgeSeries struct {
	requests, failed aggregate.Sum
	server           aggregate.Histogram
}

type evaluationSeries struct {
	score   aggregate.Histogram
	results aggregate.Sum
}

type redactionSeries struct{ findings aggregate.Sum }

// instruments lists a series' instruments for flushing; emit says which metric each is.
type instrument struct {
	def  *metricDef
	sum  *aggregate.Sum
	hist *aggregate.Histogram
	// tokenType is set on the token metrics, which split one series by gen_ai.token.type.
	tokenType string
}

func (s *callSeries) instruments(dst []instrument) []instrument {
	dst = append(dst,
		instrument{def: &defOperationDuration, hist: &s.duration},
		instrument{def: &defTokenUsage, hist: &s.inputTokens, tokenType: tokenTypes[tokenInput]},
		instrument{def: &defTokenUsage, hist: &s.outputTokens, tokenType: tokenTypes[tokenOutput]},
		instrument{def: &defTimeToFirstToken, hist: &s.timeToFirstToken},
		instrument{def: &defTimePerOutputToken, hist: &s.timePerOutputToken},
		instrument{def: &defRequests, sum: &s.requests},
		instrument{def: &defErrors, sum: &s.errors},
		instrument{def: &defCost, sum: &s.cost},
	)
	for i := range s.tokens {
		dst = append(dst, instrument{def: &defTokens, sum: &s.tokens[i], tokenType: tokenTypes[i]})
	}
	return dst
}

func toolInstruments(s *invocationSeries, dst []instrument) []instrument {
	return append(dst, instrument{def: &defToolCalls, sum: &s.count}, instrument{def: &defToolDuration, hist: &s.duration})
}

func agentInstruments(s *invocationSeries, dst []instrument) []instrument {
	return append(dst, instrument{def: &defAgentInvocations, sum: &s.count}, instrument{def: &defAgentDuration, hist: &s.duration})
}

func (s *edgeSeries) instruments(dst []instrument) []instrument {
	return append(dst, instrument{def: &defGraphRequests, sum: &s.requests}, instrument{def: &defGraphFailed, sum: &s.failed},
		instrument{def: &defGraphServer, hist: &s.server})
}

func (s *evaluationSeries) instruments(dst []instrument) []instrument {
	return append(dst, instrument{def: &defEvaluationScore, hist: &s.score}, instrument{def: &defEvaluationResults, sum: &s.results})
}

func (s *redactionSeries) instruments(dst []instrument) []instrument {
	return append(dst, instrument{def: &defRedactionFindings, sum: &s.findings})
}
