package route

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"

	"github.com/otelcol-llm/otelcol-llm/internal/alert/labels"
	"github.com/otelcol-llm/otelcol-llm/internal/alert/notify"
)

var t0 = time.Date(2026, 8, 27, 10, 0, 0, 0, time.UTC)

// hook is a webhook receiver recording messages; fail makes it answer 500.
type hook struct {
	mu   sync.Mutex
	msgs []notify.WebhookMessage
	fail bool
	last time.Time // when the last request arrived
}

// ServeHTTP records a message, or fails while the receiver is down: decided when the
// request arrives, so that a request the sender gave up on while the receiver was down
// is not recorded when it is read after the receiver came back.
func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	fail := h.fail
	h.last = time.Now()
	h.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var m notify.WebhookMessage
	if err := json.Unmarshal(b, &m); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.msgs = append(h.msgs, m)
}

func (h *hook) take() []notify.WebhookMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := h.msgs
	h.msgs = nil
	return out
}

func (h *hook) setFail(f bool) { h.mu.Lock(); h.fail = f; h.mu.Unlock() }

// waitIdle returns once no request has arrived for quiet: the last attempt of a delivery
// abandoned at its deadline may still be on its way.
func (h *hook) waitIdle(quiet time.Duration) {
	for {
		h.mu.Lock()
		since := time.Since(h.last)
		h.mu.Unlock()
		if since >= quiet {
			return
		}
		time.Sleep(quiet - since)
	}
}

type env struct {
	t     *testing.T
	now   time.Time
	d     *Dispatcher
	hooks map[string]*hook
}

func dur(d time.Duration) *time.Duration { return &d }

func newEnv(t *testing.T, cfg DispatchConfig, receivers ...string) *env {
	t.Helper()
	e := &env{t: t, now: t0, hooks: map[string]*hook{}}
	rs := map[string]*notify.Receiver{}
	for _, name := range receivers {
		h := &hook{}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		r, err := notify.NewReceiver(notify.ReceiverConfig{Name: name, Webhooks: []notify.WebhookConfig{{URL: configopaque.String(srv.URL)}}})
		if err != nil {
			t.Fatal(err)
		}
		rs[name], e.hooks[name] = r, h
	}
	d, err := New(cfg, rs, Options{Now: func() time.Time { return e.now }, ExternalURL: "http://otelcol",
		Backoff: notify.Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond, Multiplier: 2}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	e.d = d
	return e
}

func alert(status string, kv ...string) notify.Alert {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	a := notify.Alert{Status: status, Labels: m, StartsAt: t0, Fingerprint: labels.FromMap(m).ID()}
	if status == notify.StatusResolved {
		a.EndsAt = t0
	}
	return a
}

// tick advances the clock, puts alerts and flushes.
func (e *env) tick(d time.Duration, alerts ...notify.Alert) {
	e.now = e.now.Add(d)
	if len(alerts) > 0 {
		e.d.Put(alerts)
	}
	e.d.Flush()
	e.d.Wait()
}

func summary(msgs []notify.WebhookMessage) string {
	var parts []string
	for _, m := range msgs {
		var as []string
		for _, a := range m.Alerts {
			as = append(as, a.Labels["alertname"]+"/"+a.Labels["model"]+"="+a.Status)
		}
		parts = append(parts, m.Status+"("+m.NotificationReason+")["+strings.Join(as, ",")+"]")
	}
	sort.Strings(parts) // groups are delivered concurrently
	return strings.Join(parts, " ")
}

func expect(t *testing.T, h *hook, want string) {
	t.Helper()
	if got := summary(h.take()); got != want {
		t.Fatalf("notifications:\n got %q\nwant %q", got, want)
	}
}

func TestGroupingAndTimers(t *testing.T) {
	e := newEnv(t, DispatchConfig{Route: Config{Receiver: "team", GroupBy: []string{"alertname"},
		GroupWait: dur(30 * time.Second), GroupInterval: dur(5 * time.Minute), RepeatInterval: dur(time.Hour)}}, "team")
	h := e.hooks["team"]
	a := alert("firing", "alertname", "Errors", "model", "a")
	b := alert("firing", "alertname", "Errors", "model", "b")
	e.tick(0, a)
	expect(t, h, "") // group_wait
	e.tick(20*time.Second, a, b)
	expect(t, h, "")
	e.tick(10*time.Second, a, b)
	expect(t, h, "firing(first notification)[Errors/a=firing,Errors/b=firing]")
	e.tick(time.Minute, a, b)
	expect(t, h, "") // group_interval not elapsed, nothing new anyway
	e.tick(4*time.Minute, a, b)
	expect(t, h, "") // interval elapsed, nothing changed, repeat not due
	rb := b
	rb.Status, rb.EndsAt = notify.StatusResolved, e.now
	e.tick(5*time.Minute, a, rb)
	expect(t, h, "firing(some alerts resolved)[Errors/a=firing,Errors/b=resolved]")
	for range 11 { // the resolved alert leaves its group 15 minutes after it ended
		e.tick(5*time.Minute, a)
	}
	expect(t, h, "")
	e.tick(5*time.Minute, a) // an hour after the last notification
	expect(t, h, "firing(repeat interval elapsed)[Errors/a=firing]")
	ra := a
	ra.Status, ra.EndsAt = notify.StatusResolved, e.now
	e.tick(5*time.Minute, ra)
	expect(t, h, "resolved(all alerts resolved)[Errors/a=resolved]")
	e.tick(5*time.Minute, ra)
	expect(t, h, "")
}

func TestGroupWaitZeroNotifiesAtOnce(t *testing.T) {
	e := newEnv(t, DispatchConfig{Route: Config{Receiver: "team", GroupWait: dur(0)}}, "team")
	e.tick(0, alert("firing", "alertname", "X"))
	expect(t, e.hooks["team"], "firing(first notification)[X/=firing]")
}

func TestRoutingTree(t *testing.T) {
	cfg := DispatchConfig{Route: Config{Receiver: "default", GroupWait: dur(0), GroupBy: []string{"alertname"},
		Routes: []Config{
			{Matchers: []string{`severity="critical"`}, Receiver: "pager", Continue: true},
			{Matchers: []string{`severity=~"critical|high"`}, Receiver: "slack"},
			{Matchers: []string{`team="ml"`}, Receiver: "ml"},
		}}}
	e := newEnv(t, cfg, "default", "pager", "slack", "ml")
	e.tick(0,
		alert("firing", "alertname", "A", "severity", "critical", "team", "ml"),
		alert("firing", "alertname", "B", "severity", "warning", "team", "ml"),
		alert("firing", "alertname", "C", "severity", "info"),
	)
	expect(t, e.hooks["pager"], "firing(first notification)[A/=firing]")
	expect(t, e.hooks["slack"], "firing(first notification)[A/=firing]") // continue from pager
	expect(t, e.hooks["ml"], "firing(first notification)[B/=firing]")    // slack matched A without continue
	expect(t, e.hooks["default"], "firing(first notification)[C/=firing]")
}

func TestInhibition(t *testing.T) {
	cfg := DispatchConfig{
		Route:   Config{Receiver: "team", GroupWait: dur(0), GroupBy: []string{"..."}},
		Inhibit: []InhibitConfig{{SourceMatchers: []string{`severity="critical"`}, TargetMatchers: []string{`severity="warning"`}, Equal: []string{"model"}}},
	}
	e := newEnv(t, cfg, "team")
	crit := alert("firing", "alertname", "Errors", "severity", "critical", "model", "a")
	warnA := alert("firing", "alertname", "Latency", "severity", "warning", "model", "a")
	warnB := alert("firing", "alertname", "Latency", "severity", "warning", "model", "b")
	e.tick(0, crit, warnA, warnB)
	expect(t, e.hooks["team"], "firing(first notification)[Errors/a=firing] firing(first notification)[Latency/b=firing]")
	if st := e.d.Status(warnA.Fingerprint, labels.FromMap(warnA.Labels)); !st.Inhibited {
		t.Fatal("status does not report the inhibition")
	}
}

func TestSilences(t *testing.T) {
	e := newEnv(t, DispatchConfig{Route: Config{Receiver: "team", GroupWait: dur(0), GroupInterval: dur(time.Minute)}}, "team")
	id, err := e.d.CreateSilence(Silence{Matchers: []SilenceMatcher{{Name: "model", Value: "g.*", IsRegex: true}},
		EndsAt: t0.Add(10 * time.Minute), CreatedBy: "ops", Comment: "maintenance"})
	if err != nil {
		t.Fatal(err)
	}
	a := alert("firing", "alertname", "X", "model", "gpt")
	e.tick(0, a)
	expect(t, e.hooks["team"], "")
	if got := e.d.Silences(); len(got) != 1 || got[0].Status.State != SilenceActive {
		t.Fatalf("silences = %+v", got)
	}
	if err := e.d.ExpireSilence(id); err != nil {
		t.Fatal(err)
	}
	e.tick(time.Minute, a)
	expect(t, e.hooks["team"], "firing(first notification)[X/gpt=firing]")
	if got := e.d.Silences(); got[0].Status.State != SilenceExpired {
		t.Fatalf("state = %s", got[0].Status.State)
	}
	// silences expire by themselves too
	_, _ = e.d.CreateSilence(Silence{Matchers: []SilenceMatcher{{Name: "alertname", Value: "Y"}}, EndsAt: e.now.Add(2 * time.Minute), CreatedBy: "ops", Comment: "c"})
	y := alert("firing", "alertname", "Y")
	e.tick(time.Minute, a, y)
	expect(t, e.hooks["team"], "")
	e.tick(2*time.Minute, a, y)
	expect(t, e.hooks["team"], "firing(new alerts added)[X/gpt=firing,Y/=firing]")
	for _, bad := range []Silence{{}, {Matchers: []SilenceMatcher{{Name: "a", Value: "b"}}, CreatedBy: "x", Comment: "y"}, {Matchers: []SilenceMatcher{{Name: "a", Value: "(", IsRegex: true}}, EndsAt: t0.Add(time.Hour), CreatedBy: "x", Comment: "y"}} {
		if _, err := e.d.CreateSilence(bad); err == nil {
			t.Errorf("silence %+v accepted", bad)
		}
	}
}

func TestEscalationAndAck(t *testing.T) {
	cfg := DispatchConfig{Route: Config{Receiver: "primary", GroupWait: dur(0), GroupInterval: dur(time.Minute), RepeatInterval: dur(24 * time.Hour),
		Escalation: []EscalationConfig{{After: 5 * time.Minute, Receiver: "secondary"}, {After: 15 * time.Minute, Receiver: "manager"}}}}
	e := newEnv(t, cfg, "primary", "secondary", "manager")
	a := alert("firing", "alertname", "Down")
	e.tick(0, a)
	expect(t, e.hooks["primary"], "firing(first notification)[Down/=firing]")
	for range 4 {
		e.tick(time.Minute, a)
	}
	expect(t, e.hooks["secondary"], "")
	e.tick(time.Minute, a) // 5 minutes unacknowledged
	expect(t, e.hooks["secondary"], "firing(escalation: not acknowledged within 5m0s)[Down/=firing]")
	expect(t, e.hooks["primary"], "")
	if err := e.d.Acknowledge(a.Fingerprint, "alice", "looking"); err != nil {
		t.Fatal(err)
	}
	for range 15 {
		e.tick(time.Minute, a)
	}
	expect(t, e.hooks["manager"], "") // the ack stopped the escalation
	r := a
	r.Status, r.EndsAt = notify.StatusResolved, e.now
	e.tick(time.Minute, r)
	// the resolution reaches everyone who was paged
	expect(t, e.hooks["primary"], "resolved(all alerts resolved)[Down/=resolved]")
	expect(t, e.hooks["secondary"], "resolved(all alerts resolved)[Down/=resolved]")
	if err := e.d.Acknowledge("nope", "bob", ""); err == nil {
		t.Fatal("acknowledged an unknown alert")
	}
}

func TestReceiverOutageLosesNothing(t *testing.T) {
	e := newEnv(t, DispatchConfig{Route: Config{Receiver: "team", GroupWait: dur(0), GroupInterval: dur(100 * time.Millisecond)}}, "team")
	h := e.hooks["team"]
	h.setFail(true)
	a := alert("firing", "alertname", "X")
	e.tick(0, a) // retried until the group_interval deadline, then left for the next flush
	expect(t, h, "")
	h.waitIdle(100 * time.Millisecond)
	h.setFail(false)
	e.tick(time.Second, a)
	expect(t, h, "firing(first notification)[X/=firing]")
	e.tick(time.Second, a)
	expect(t, h, "")
}

func TestRestartNeitherRepagesNorForgets(t *testing.T) {
	cfg := DispatchConfig{Route: Config{Receiver: "team", GroupWait: dur(0), GroupInterval: dur(time.Minute)}}
	e := newEnv(t, cfg, "team")
	a := alert("firing", "alertname", "X")
	e.tick(0, a)
	expect(t, e.hooks["team"], "firing(first notification)[X/=firing]")
	snap, err := e.d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// a new process with the same receiver
	e2 := newEnv(t, cfg, "team")
	e2.d.receivers["team"] = e.d.receivers["team"]
	if err := e2.d.Restore(snap); err != nil {
		t.Fatal(err)
	}
	e2.now = e.now
	e2.tick(time.Minute, a)
	expect(t, e.hooks["team"], "")
	r := a
	r.Status, r.EndsAt = notify.StatusResolved, e2.now
	e2.tick(time.Minute, r)
	expect(t, e.hooks["team"], "resolved(all alerts resolved)[X/=resolved]")
}

func TestTreeValidation(t *testing.T) {
	rs := map[string]bool{"a": true}
	tests := []struct {
		c    Config
		want string
	}{
		{Config{}, "route.receiver: the root route needs a receiver"},
		{Config{Receiver: "a", Matchers: []string{"x=y"}}, "root route matches every alert"},
		{Config{Receiver: "nope"}, `route.receiver: no receiver named "nope"`},
		{Config{Receiver: "a", Routes: []Config{{Matchers: []string{"x~y"}}}}, "route.routes[0].matchers"},
		{Config{Receiver: "a", Routes: []Config{{GroupInterval: dur(0)}}}, "route.routes[0].group_interval: must be positive"},
		{Config{Receiver: "a", Escalation: []EscalationConfig{{Receiver: "a"}}}, "route.escalation[0].after: must be positive"},
		{Config{Receiver: "a", GroupBy: []string{"...", "x"}}, "cannot be combined"},
	}
	for _, tt := range tests {
		if _, err := NewTree(tt.c, rs); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want %q", tt.c, err, tt.want)
		}
	}
}
