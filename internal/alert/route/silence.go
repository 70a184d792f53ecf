package route

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
)

// Silence states, as in Alertmanager's API.
const (
	SilencePending = "pending"
	SilenceActive  = "active"
	SilenceExpired = "expired"
)

// SilenceMatcher is Alertmanager's API v2 matcher shape.
type SilenceMatcher struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	IsRegex bool   `json:"isRegex"`
	IsEqual *bool  `json:"isEqual,omitempty"`
}

// Silence mutes matching alerts between StartsAt and EndsAt.
type Silence struct {
	ID        string           `json:"id"`
	Matchers  []SilenceMatcher `json:"matchers"`
	StartsAt  time.Time        `json:"startsAt"`
	EndsAt    time.Time        `json:"endsAt"`
	CreatedBy string           `json:"createdBy"`
	Comment   string           `json:"comment"`
	UpdatedAt time.Time        `json:"updatedAt"`
	Status    struct {
		State string `json:"state"`
	} `json:"status"`

	compiled labels.Matchers
}

func (s *Silence) compile() error {
	if len(s.Matchers) == 0 {
		return errors.New("matchers: a silence needs at least one matcher")
	}
	s.compiled = s.compiled[:0]
	for i, m := range s.Matchers {
		t := labels.MatchEqual
		eq := m.IsEqual == nil || *m.IsEqual
		switch {
		case m.IsRegex && eq:
			t = labels.MatchRegexp
		case m.IsRegex:
			t = labels.MatchNotRegexp
		case !eq:
			t = labels.MatchNotEqual
		}
		if !labels.ValidName(m.Name) {
			return fmt.Errorf("matchers[%d].name: %q is not a label name", i, m.Name)
		}
		cm, err := labels.NewMatcher(t, m.Name, m.Value)
		if err != nil {
			return fmt.Errorf("matchers[%d]: %w", i, err)
		}
		s.compiled = append(s.compiled, cm)
	}
	return nil
}

func (s *Silence) state(now time.Time) string {
	switch {
	case now.Before(s.StartsAt):
		return SilencePending
	case now.Before(s.EndsAt):
		return SilenceActive
	}
	return SilenceExpired
}

// silences is the set of silences; the dispatcher guards it.
type silences map[string]*Silence

// silenceRetention is how long expired silences stay listed (Alertmanager's 120h).
const silenceRetention = 120 * time.Hour

func (ss silences) add(s *Silence, now time.Time) error {
	if err := s.compile(); err != nil {
		return err
	}
	if s.StartsAt.IsZero() || s.StartsAt.Before(now) {
		s.StartsAt = now
	}
	switch {
	case s.EndsAt.IsZero():
		return errors.New("endsAt: missing; a silence must end")
	case !s.EndsAt.After(s.StartsAt):
		return errors.New("endsAt: must be after startsAt")
	case s.CreatedBy == "":
		return errors.New("createdBy: missing; say who silences")
	case s.Comment == "":
		return errors.New("comment: missing; say why")
	}
	if s.ID == "" {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		s.ID = hex.EncodeToString(b)
	}
	s.UpdatedAt = now
	ss[s.ID] = s
	return nil
}

func (ss silences) expire(id string, now time.Time) error {
	s, ok := ss[id]
	if !ok {
		return fmt.Errorf("no silence with id %q", id)
	}
	if s.state(now) == SilenceExpired {
		return fmt.Errorf("silence %q already expired", id)
	}
	if now.Before(s.StartsAt) {
		s.StartsAt = now
	}
	s.EndsAt = now
	s.UpdatedAt = now
	return nil
}

// mutes reports whether an active silence matches ls.
func (ss silences) mutes(ls labels.Labels, now time.Time) bool {
	for _, s := range ss {
		if s.state(now) == SilenceActive && s.compiled.Matches(ls) {
			return true
		}
	}
	return false
}

func (ss silences) list(now time.Time) []Silence {
	out := make([]Silence, 0, len(ss))
	for id, s := range ss {
		if now.Sub(s.EndsAt) > silenceRetention {
			delete(ss, id)
			continue
		}
		c := *s
		c.Status.State = s.state(now)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartsAt.Before(out[j].StartsAt) })
	return out
}
