// Package judgetest is an OpenAI-compatible chat completions endpoint for the tests of
// model-graded evaluation: the test sets its answer, reads the requests it got, and can
// hold requests to play a slow or hanging judge.
package judgetest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Server is the mock judge; its URL plus "/v1" is the judge endpoint.
type Server struct {
	*httptest.Server

	mu      sync.Mutex
	answer  func(body string) (status int, content string)
	bodies  []string
	auth    []string
	release chan struct{}
}

// New starts a judge on 127.0.0.1 that grades everything relevant (0.9) until told
// otherwise; it stops with the test.
func New(t testing.TB) *Server {
	s := &Server{answer: func(string) (int, string) {
		return http.StatusOK, `{"relevance": {"score": 0.9, "explanation": "answers the question"}}`
	}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.Release()
		s.Close()
	})
	return s
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(body))
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	answer, release := s.answer, s.release
	s.mu.Unlock()
	if r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	if release != nil {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
	}
	status, content := answer(string(body))
	out, _ := json.Marshal(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": content}}}})
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// Answer sets what the judge answers: an HTTP status and the message content.
func (s *Server) Answer(fn func(body string) (status int, content string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = fn
}

// Hold makes requests wait until Release, or until the client gives up.
func (s *Server) Hold() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release == nil {
		s.release = make(chan struct{})
	}
}

// Release lets held requests (and later ones) through.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.release != nil {
		close(s.release)
		s.release = nil
	}
}

// Requests returns the bodies received so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// Authorizations returns the Authorization headers received so far, in order.
func (s *Server) Authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}
