package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configtls"
)

// EmailConfig sends mail through an SMTP smarthost, upgrading with STARTTLS.
type EmailConfig struct {
	To        string `mapstructure:"to"`
	From      string `mapstructure:"from"`
	Smarthost string `mapstructure:"smarthost"`
	// Hello is the EHLO name (default localhost).
	Hello        string              `mapstructure:"hello"`
	AuthUsername string              `mapstructure:"auth_username"`
	AuthPassword configopaque.String `mapstructure:"auth_password"`
	// RequireTLS refuses servers that do not offer STARTTLS (default true).
	RequireTLS *bool                  `mapstructure:"require_tls"`
	TLS        configtls.ClientConfig `mapstructure:"tls"`
	// SendResolved notifies resolutions (default true).
	SendResolved *bool `mapstructure:"send_resolved"`
}

func (c *EmailConfig) validate() error {
	if _, err := mail.ParseAddressList(c.To); err != nil {
		return fmt.Errorf("to: %q: %w", c.To, err)
	}
	if _, err := mail.ParseAddress(c.From); err != nil {
		return fmt.Errorf("from: %q: %w", c.From, err)
	}
	if _, _, err := net.SplitHostPort(c.Smarthost); err != nil {
		return fmt.Errorf("smarthost: %q must be host:port, e.g. smtp.example.com:587", c.Smarthost)
	}
	return nil
}

type email struct {
	cfg     EmailConfig
	tls     *tls.Config
	timeout time.Duration
}

func newEmail(cfg EmailConfig, timeout time.Duration) (*email, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	tc, err := cfg.TLS.LoadTLSConfig(context.Background())
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	if tc == nil {
		tc = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if tc.ServerName == "" {
		tc.ServerName, _, _ = net.SplitHostPort(cfg.Smarthost)
	}
	if cfg.Hello == "" {
		cfg.Hello = "localhost"
	}
	return &email{cfg: cfg, tls: tc, timeout: timeout}, nil
}

func (e *email) SendResolved() bool { return boolOr(e.cfg.SendResolved, true) }

// Notify classifies failures as Alertmanager does: everything on the SMTP conversation is
// retryable, a message that cannot be built is not.
func (e *email) Notify(ctx context.Context, d *Data) (bool, error) {
	msg, err := e.message(d)
	if err != nil {
		return false, err
	}
	dialer := net.Dialer{Timeout: e.timeout}
	conn, err := dialer.DialContext(ctx, "tcp", e.cfg.Smarthost)
	if err != nil {
		return true, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else if e.timeout > 0 {
		_ = conn.SetDeadline(time.Now().Add(e.timeout))
	}
	host, _, _ := net.SplitHostPort(e.cfg.Smarthost)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return true, fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(e.cfg.Hello); err != nil {
		return true, fmt.Errorf("EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(e.tls); err != nil {
			return true, fmt.Errorf("STARTTLS: %w", err)
		}
	} else if boolOr(e.cfg.RequireTLS, true) {
		return true, errors.New("the SMTP server does not offer STARTTLS and require_tls is true")
	}
	if e.cfg.AuthUsername != "" {
		if ok, _ := c.Extension("AUTH"); ok {
			if err := c.Auth(smtp.PlainAuth("", e.cfg.AuthUsername, string(e.cfg.AuthPassword), host)); err != nil {
				return true, fmt.Errorf("AUTH: %w", err)
			}
		}
	}
	from, _ := mail.ParseAddress(e.cfg.From)
	if err := c.Mail(from.Address); err != nil {
		return true, fmt.Errorf("MAIL FROM: %w", err)
	}
	to, _ := mail.ParseAddressList(e.cfg.To)
	for _, a := range to {
		if err := c.Rcpt(a.Address); err != nil {
			return true, fmt.Errorf("RCPT TO %s: %w", a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return true, fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return true, fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return true, fmt.Errorf("DATA: %w", err)
	}
	return false, c.Quit()
}

// message renders a multipart/alternative mail (plain text and HTML).
func (e *email) message(d *Data) ([]byte, error) {
	var buf bytes.Buffer
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	host, _, _ := net.SplitHostPort(e.cfg.Smarthost)
	mw := multipart.NewWriter(&buf)
	fmt.Fprintf(&buf, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-Id: <%s@%s>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=%s\r\n\r\n",
		e.cfg.From, e.cfg.To, mimeHeader(Title(d)), time.Now().Format(time.RFC1123Z), hex.EncodeToString(id), host, mw.Boundary())
	var text, htm strings.Builder
	htm.WriteString("<html><body><h2>" + html.EscapeString(Title(d)) + "</h2><ul>")
	for _, a := range d.Alerts {
		line := strings.ToUpper(a.Status) + ": " + alertLine(a)
		text.WriteString(line + "\n")
		htm.WriteString("<li>" + html.EscapeString(line) + "</li>")
		for _, k := range sortedKeys(a.Labels) {
			text.WriteString("  " + k + " = " + a.Labels[k] + "\n")
		}
		if desc := a.Annotations["description"]; desc != "" {
			text.WriteString("  " + desc + "\n")
		}
	}
	htm.WriteString("</ul>")
	if d.ExternalURL != "" {
		text.WriteString("\n" + d.ExternalURL + "\n")
		htm.WriteString(`<p><a href="` + html.EscapeString(d.ExternalURL) + `">` + html.EscapeString(d.ExternalURL) + "</a></p>")
	}
	htm.WriteString("</body></html>")
	for _, part := range []struct{ ctype, body string }{{"text/plain", text.String()}, {"text/html", htm.String()}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype + "; charset=UTF-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.body)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func mimeHeader(s string) string {
	for _, r := range s {
		if r > 127 || r < 32 {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}
