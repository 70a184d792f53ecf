package notify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	smtp "github.com/emersion/go-smtp"
	"go.opentelemetry.io/collector/config/configtls"
)

// mailbox is a go-smtp backend that requires PLAIN auth and records messages.
type mailbox struct {
	mu       sync.Mutex
	messages []received
}

type received struct {
	from   string
	to     []string
	data   []byte
	tls    bool
	authed string
}

type session struct {
	box *mailbox
	c   *smtp.Conn
	cur received
}

func (b *mailbox) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{box: b, c: c}, nil }

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != "alerts" || password != "s3cret" {
			return errors.New("invalid credentials")
		}
		s.cur.authed = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.cur.authed == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	_, s.cur.tls = s.c.TLSConnectionState()
	s.box.mu.Lock()
	s.box.messages = append(s.box.messages, s.cur)
	s.box.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.cur = received{authed: s.cur.authed} }
func (s *session) Logout() error { return nil }

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func startSMTP(t *testing.T, withTLS bool) (*mailbox, string) {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	if withTLS {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}, MinVersion: tls.VersionTLS12}
	} else {
		srv.AllowInsecureAuth = true
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box, l.Addr().String()
}

func TestEmailOverSTARTTLS(t *testing.T) {
	box, addr := startSMTP(t, true)
	cfg := EmailConfig{To: "On Call <oncall@example.com>, lead@example.com", From: "otelcol-llm <alerts@example.com>", Smarthost: addr,
		AuthUsername: "alerts", AuthPassword: "s3cret", TLS: configtls.ClientConfig{InsecureSkipVerify: true}}
	r, err := NewReceiver(ReceiverConfig{Name: "mail", Email: []EmailConfig{cfg}})
	if err != nil {
		t.Fatal(err)
	}
	if retry, err := r.Integrations[0].Notify(context.Background(), sampleData()); err != nil {
		t.Fatalf("retry=%v err=%v", retry, err)
	}
	if len(box.messages) != 1 {
		t.Fatalf("%d messages", len(box.messages))
	}
	m := box.messages[0]
	if !m.tls || m.authed != "alerts" || m.from != "alerts@example.com" || strings.Join(m.to, ",") != "oncall@example.com,lead@example.com" {
		t.Fatalf("envelope: %+v", m)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(m.data)))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("Subject"); got != "[FIRING:1] LLMErrorRateHigh" {
		t.Fatalf("Subject = %q", got)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	var text string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable
		types = append(types, p.Header.Get("Content-Type"))
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			text = string(b)
		}
	}
	if strings.Join(types, "|") != "text/plain; charset=UTF-8|text/html; charset=UTF-8" {
		t.Fatalf("parts = %v", types)
	}
	if !strings.Contains(text, "FIRING: LLM error rate 7.1% > 5% (chat-api, gpt-4o)") || !strings.Contains(text, "RESOLVED: LLM error rate 6.0%") {
		t.Fatalf("text part:\n%s", text)
	}
}

func TestEmailRequiresTLS(t *testing.T) {
	_, addr := startSMTP(t, false)
	r, _ := NewReceiver(ReceiverConfig{Name: "mail", Email: []EmailConfig{{To: "a@example.com", From: "b@example.com", Smarthost: addr}}})
	retry, err := r.Integrations[0].Notify(context.Background(), sampleData())
	if err == nil || !retry || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Fatalf("retry=%v err=%v", retry, err)
	}
}
