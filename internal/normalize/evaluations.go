package normalize

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-llm/otelcol-llm/internal/genai"
)

// Evaluation source attribute names.
const (
	oiEvaluationsPrefix = "evaluations."
	oiAnnotationsPrefix = "annotations."

	// Langfuse scores as attributes: one score under langfuse.score.*, or a JSON list of
	// score objects as the Langfuse API writes them.
	lfScoreName        = "langfuse.score.name"
	lfScoreValue       = "langfuse.score.value"
	lfScoreStringValue = "langfuse.score.string_value"
	lfScoreComment     = "langfuse.score.comment"
	lfScoreDataType    = "langfuse.score.data_type"
	lfScores           = "langfuse.scores"

	feedbackPrefix = "otelcol_llm.feedback."
)

// Values of otelcol_llm.evaluation.source written by the normalizer.
const (
	evalSourceOpenInference = "openinference"
	evalSourceLangfuse      = "langfuse"
	evalSourceFeedback      = "feedback"
)

// evaluation is one result to write as a gen_ai.evaluation.result event.
type evaluation struct {
	name, label, explanation, source string
	score                            float64
	hasScore                         bool
}

// oiEvaluations maps evaluations.N.evaluation.* and annotations.N.annotation.* to events
// on the span they are set on, which is the evaluated span.
func (s *state) oiEvaluations() {
	for _, list := range [...]struct{ prefix, field string }{
		{oiEvaluationsPrefix, "evaluation."},
		{oiAnnotationsPrefix, "annotation."},
	} {
		fs := s.collect(list.prefix)
		if len(fs) == 0 {
			continue
		}
		for _, it := range s.itemsOf(fs) {
			ev := evaluation{
				name:        s.itemStr(it, list.field+"name"),
				label:       s.itemStr(it, list.field+"label"),
				explanation: s.itemStr(it, list.field+"explanation"),
				source:      evalSourceOpenInference,
			}
			if v, ok := it.get(list.field + "score"); ok {
				ev.score, ev.hasScore = s.score(v)
			}
			s.addEvaluation(ev)
		}
		s.consumePrefix(list.prefix)
	}
}

// langfuseScores maps Langfuse score attributes to events on the span.
func (s *state) langfuseScores() {
	if name, ok := s.str(lfScoreName); ok {
		ev := evaluation{name: name, source: evalSourceLangfuse}
		dataType, _ := s.str(lfScoreDataType)
		if v, ok := s.attrs.Get(lfScoreValue); ok {
			ev.score, ev.hasScore = s.score(v)
		}
		ev.label, _ = s.str(lfScoreStringValue)
		ev.explanation, _ = s.str(lfScoreComment)
		s.addEvaluation(langfuseTyped(ev, dataType))
		for _, k := range [...]string{lfScoreName, lfScoreValue, lfScoreStringValue, lfScoreComment, lfScoreDataType} {
			s.consume(k)
		}
	}
	text, ok := s.str(lfScores)
	if !ok {
		return
	}
	var scores []struct {
		Name        string          `json:"name"`
		Value       json.RawMessage `json:"value"`
		StringValue string          `json:"stringValue"`
		Comment     string          `json:"comment"`
		DataType    string          `json:"dataType"`
	}
	if err := json.Unmarshal([]byte(text), &scores); err != nil {
		s.fail()
		return
	}
	for _, sc := range scores {
		ev := evaluation{name: sc.Name, label: sc.StringValue, explanation: sc.Comment, source: evalSourceLangfuse}
		if len(sc.Value) > 0 && string(sc.Value) != "null" {
			var f float64
			if err := json.Unmarshal(sc.Value, &f); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				ev.score, ev.hasScore = f, true
			} else if str, err := strconv.Unquote(string(sc.Value)); err == nil && ev.label == "" {
				ev.label = str // a categorical value in "value"
			} else {
				s.fail()
				continue
			}
		}
		s.addEvaluation(langfuseTyped(ev, sc.DataType))
	}
	s.consume(lfScores)
}

// langfuseTyped applies a Langfuse data type: a categorical score has a label and no
// number; a boolean's label says which way it went.
func langfuseTyped(ev evaluation, dataType string) evaluation {
	switch strings.ToUpper(dataType) {
	case "CATEGORICAL":
		if ev.label == "" && ev.hasScore {
			ev.label = strconv.FormatFloat(ev.score, 'g', -1, 64)
		}
		ev.hasScore = false
	case "BOOLEAN":
		if ev.hasScore && ev.label == "" {
			ev.label = strconv.FormatBool(ev.score != 0)
		}
	}
	return ev
}

// feedback maps otelcol_llm.feedback.* on a span to a user_feedback event. The rated call
// is the span itself when it is a GenAI operation, else its parent, unless
// otelcol_llm.evaluation.span_id names it.
func (s *state) feedback() {
	ev, ok := s.feedbackEvaluation()
	if !ok {
		return
	}
	s.addEvaluation(ev)
	if !s.has(genai.OperationName) {
		if parent := s.span.ParentSpanID(); !parent.IsEmpty() {
			s.setStr(genai.EvaluationSpanID, parent.String())
		}
		s.setStr(genai.EvaluationSource, evalSourceFeedback)
	}
	s.consumeFeedback()
}

func (s *state) consumeFeedback() {
	for _, k := range feedbackKeys {
		s.consume(k)
	}
}

var feedbackKeys = [...]string{genai.FeedbackThumbs, genai.FeedbackRating, genai.FeedbackRatingMin,
	genai.FeedbackRatingMax, genai.FeedbackScore, genai.FeedbackComment}

// feedbackEvaluation reads the feedback attributes of s.attrs. Thumbs score 1 (up) or 0
// (down); a rating maps linearly from [rating_min, rating_max] to [0, 1]; a score is
// taken as it is. A value it cannot read is an error and gives no score.
func (s *state) feedbackEvaluation() (evaluation, bool) {
	ev := evaluation{name: genai.EvaluationUserFeedback, source: evalSourceFeedback}
	ev.explanation, _ = s.str(genai.FeedbackComment)
	if v, ok := s.attrs.Get(genai.FeedbackScore); ok {
		ev.score, ev.hasScore = s.score(v)
	}
	if v, ok := s.attrs.Get(genai.FeedbackThumbs); ok {
		if up, valid := thumbs(v); valid {
			ev.label = "down"
			if up {
				ev.label = "up"
			}
			if !ev.hasScore {
				ev.score, ev.hasScore = 0, true
				if up {
					ev.score = 1
				}
			}
		} else {
			s.fail()
		}
	}
	if v, ok := s.attrs.Get(genai.FeedbackRating); ok {
		lo, hi := 1.0, 5.0
		if f, ok := s.float(genai.FeedbackRatingMin); ok {
			lo = f
		}
		if f, ok := s.float(genai.FeedbackRatingMax); ok {
			hi = f
		}
		r, ok := genai.ValueFloat(v)
		if !ok || hi <= lo || r < lo || r > hi || math.IsNaN(r) {
			s.fail()
		} else {
			if ev.label == "" {
				ev.label = strconv.FormatFloat(r, 'g', -1, 64) + "/" + strconv.FormatFloat(hi, 'g', -1, 64)
			}
			if !ev.hasScore {
				ev.score, ev.hasScore = (r-lo)/(hi-lo), true
			}
		}
	}
	return ev, ev.hasScore || ev.label != "" || ev.explanation != ""
}

// thumbs reads a thumbs value: "up"/"down" (also +1/-1, true/false, 👍/👎).
func thumbs(v pcommon.Value) (up, ok bool) {
	switch v.Type() {
	case pcommon.ValueTypeBool:
		return v.Bool(), true
	case pcommon.ValueTypeInt:
		switch v.Int() {
		case 1:
			return true, true
		case 0, -1:
			return false, true
		}
	case pcommon.ValueTypeStr:
		switch strings.ToLower(strings.TrimSpace(v.Str())) {
		case "up", "thumbs_up", "+1", "1", "true", "yes", "👍":
			return true, true
		case "down", "thumbs_down", "-1", "0", "false", "no", "👎":
			return false, true
		}
	}
	return false, false
}

// score reads a score value: a number, or a string holding one. Anything else is an
// error, and no score is invented for it. Scores outside 0–1 are passed on as given.
func (s *state) score(v pcommon.Value) (float64, bool) {
	var f float64
	switch v.Type() {
	case pcommon.ValueTypeDouble:
		f = v.Double()
	case pcommon.ValueTypeInt:
		f = float64(v.Int())
	case pcommon.ValueTypeBool:
		if v.Bool() {
			f = 1
		}
	case pcommon.ValueTypeStr:
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(v.Str()), 64); err != nil {
			s.fail()
			return 0, false
		}
	default:
		s.fail()
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		s.fail()
		return 0, false
	}
	return f, true
}

// addEvaluation appends a gen_ai.evaluation.result event to the span, unless an event
// with the same name from the same source is there (a second pass, or the source kept).
// An evaluation without a name, or with neither score nor label, is an error.
func (s *state) addEvaluation(ev evaluation) {
	if ev.name == "" || (!ev.hasScore && ev.label == "") {
		s.fail()
		return
	}
	events := s.span.Events()
	for i := range events.Len() {
		e := events.At(i)
		if e.Name() == genai.EventEvaluationResult &&
			genai.Str(e.Attributes(), genai.EvaluationName) == ev.name &&
			genai.Str(e.Attributes(), genai.EvaluationSource) == ev.source {
			return
		}
	}
	e := events.AppendEmpty()
	e.SetName(genai.EventEvaluationResult)
	ts := s.span.EndTimestamp()
	if ts == 0 {
		ts = s.span.StartTimestamp()
	}
	e.SetTimestamp(ts)
	putEvaluation(e.Attributes(), ev)
	s.touch()
}

func putEvaluation(attrs pcommon.Map, ev evaluation) {
	attrs.PutStr(genai.EvaluationName, ev.name)
	if ev.hasScore {
		attrs.PutDouble(genai.EvaluationScoreValue, ev.score)
	}
	if ev.label != "" {
		attrs.PutStr(genai.EvaluationScoreLabel, ev.label)
	}
	if ev.explanation != "" {
		attrs.PutStr(genai.EvaluationExplanation, ev.explanation)
	}
	attrs.PutStr(genai.EvaluationSource, ev.source)
}

// evaluationRecords turns log records that carry user feedback or a Langfuse score into
// gen_ai.evaluation.result events in place: the record's trace and span IDs already name
// the evaluated call. A record that is already an evaluation result is left alone.
func (n *Normalizer) evaluationRecords(lrs plog.LogRecordSlice, r *Result) {
	for i := range lrs.Len() {
		lr := lrs.At(i)
		attrs := lr.Attributes()
		if eventName(lr) == genai.EventEvaluationResult || attrs.Len() == 0 {
			continue
		}
		var src Source
		switch {
		case n.enabled.Has(Feedback) && hasKeyPrefix(attrs, feedbackPrefix):
			src = Feedback
		case n.enabled.Has(Langfuse) && hasKey(attrs, lfScoreName):
			src = Langfuse
		default:
			continue
		}
		s := state{n: n, attrs: attrs, cur: src}
		var ev evaluation
		ok := false
		if src == Feedback {
			ev, ok = s.feedbackEvaluation()
			s.consumeFeedback()
		} else {
			name, _ := s.str(lfScoreName)
			ev = evaluation{name: name, source: evalSourceLangfuse}
			if v, present := attrs.Get(lfScoreValue); present {
				ev.score, ev.hasScore = s.score(v)
			}
			ev.label, _ = s.str(lfScoreStringValue)
			ev.explanation, _ = s.str(lfScoreComment)
			dataType, _ := s.str(lfScoreDataType)
			ev = langfuseTyped(ev, dataType)
			ok = ev.hasScore || ev.label != ""
			for _, k := range [...]string{lfScoreName, lfScoreValue, lfScoreStringValue, lfScoreComment, lfScoreDataType} {
				s.consume(k)
			}
		}
		switch {
		case ok:
			lr.SetEventName(genai.EventEvaluationResult)
			putEvaluation(attrs, ev)
			s.touch()
		case s.errors == 0:
			s.fail() // nothing to map and nothing already counted
		}
		s.finish()
		r.add(s.changed, s.errors)
	}
}

func hasKey(attrs pcommon.Map, key string) bool { _, ok := attrs.Get(key); return ok }

func hasKeyPrefix(attrs pcommon.Map, prefix string) bool {
	for k := range attrs.All() {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}
