// Package corpus generates a seeded, labelled corpus of chat-like texts for measuring the
// detectors: positives carry checksum-valid values of every entity type at known
// offsets; negatives carry look-alikes that must survive (order numbers, UUIDs, git
// SHAs, timestamps, versions, product codes, "sk-learn", base64 blobs that are not
// JWTs, Luhn-invalid card numbers, IBANs with a wrong check).
//
// It follows the presidio-research evaluation: a prediction matches a labelled span
// when they overlap with IoU >= 0.9 and have the same type.
package corpus

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// Span is one labelled value: Text[Start:End] is of type Entity.
type Span struct {
	Entity     pii.Entity
	Start, End int
}

// Sample is one text and its labels. A negative sample has no labels.
type Sample struct {
	Text  string
	Spans []Span
}

// Generate returns perEntity positive samples for each built-in entity type and
// negatives negative samples, deterministically for a seed.
func Generate(seed uint64, perEntity, negatives int) []Sample {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	var out []Sample
	for _, e := range pii.BuiltIn {
		for i := 0; i < perEntity; i++ {
			out = append(out, g.embed(e, generators[e](g)))
		}
	}
	for i := 0; i < negatives; i++ {
		out = append(out, g.negative())
	}
	return out
}

type gen struct{ r *rand.Rand }

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) chars(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *gen) digits(n int) string { return g.chars("0123456789", n) }

const (
	alnum    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upperNum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b64url   = alnum + "-_"
	b64std   = alnum + "+/"
)

var (
	firstNames = []string{"john", "maria", "wei", "fatima", "lars", "aiko", "carlos", "priya", "olu", "anna"}
	lastNames  = []string{"smith", "garcia", "chen", "khan", "nilsson", "tanaka", "rossi", "patel", "adeyemi", "novak"}
	domains    = []string{"gmail.com", "example.com", "acme-corp.io", "mail.company.de", "uni.ac.uk", "shop.fr", "corp.co.jp", "startup.ai", "bank.com.br", "health.org"}
	words      = []string{"please", "update", "the", "record", "for", "customer", "ticket", "invoice", "shipment", "account", "summary", "thanks", "model", "latency", "tokens", "answer", "question", "review", "deploy", "config"}
)

// prose is a few filler words around values, so that context does not give them away.
func (g *gen) prose(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.pick(words)
	}
	return strings.Join(ws, " ")
}

// templates put a value (%s) into a sentence; the label covers exactly the value.
var templates = map[pii.Entity][]string{
	pii.Email:            {"You can reach me at %s for details.", "Contact: %s", "from=%s", "Send the invoice to <%s> today."},
	pii.Phone:            {"Call me on %s tomorrow.", "My phone number is %s.", "tel: %s", "Reach the office at %s, ask for Sam."},
	pii.CreditCard:       {"My card is %s, expiry 04/27.", "Charge card %s please.", "card_number: %s", "Paid with %s yesterday."},
	pii.IBAN:             {"Wire it to %s please.", "IBAN: %s", "Account %s, reference 2024-118.", "Bank details %s."},
	pii.USSSN:            {"My SSN is %s.", "SSN: %s", "social security number %s on file", "ssn=%s"},
	pii.IPAddress:        {"Login from %s failed.", "client ip %s blocked", "server at %s is down", "peer=%s"},
	pii.CryptoWallet:     {"Send BTC to %s please.", "wallet: %s", "Refund address %s."},
	pii.AWSSecretKey:     {"aws_secret_access_key = %s", "AWS_SECRET_ACCESS_KEY=%s"},
	pii.Authorization:    {"Authorization: Bearer %s", "curl -H 'Authorization: Bearer %s' https://api.example.com", "Authorization: Basic %s"},
	pii.URLCredentials:   {"clone https://%s@git.example.com/team/repo.git", "proxy http://%s@proxy.corp.net:3128 is set", "ftp://%s@files.example.org/in"},
	pii.ConnectionString: {"DATABASE_URL=postgres://%s@db.internal:5432/app", "mongodb+srv://%s@cluster0.example.net/test", "Server=db01;Database=app;User Id=sa;Password=%s;", "redis://%s@cache:6379/0"},
	pii.GenericSecret:    {"api_key=%s", "client_secret: %s", `{"auth_token": "%s"}`, "DB_PASSWORD=%s", "secret_key = '%s'", "X-Api-Key: %s"},
}

var defaultTemplates = []string{"Here is the key %s, keep it safe.", "export TOKEN_VALUE %s done", "I pasted %s by mistake.", "config: %s"}

// embed puts value v of type e into a sentence between filler prose.
func (g *gen) embed(e pii.Entity, v string) Sample {
	ts := templates[e]
	if ts == nil {
		ts = defaultTemplates
	}
	t := g.pick(ts)
	switch {
	case e == pii.Authorization && strings.Contains(t, "Basic"):
		v = base64.StdEncoding.EncodeToString([]byte(g.pick(firstNames) + ":" + g.chars(alnum, 12)))
	case e == pii.ConnectionString && strings.Contains(t, "Password="):
		v = g.chars(alnum, 12) + "!"
	}
	pre := g.prose(3+g.r.IntN(6)) + ". "
	i := strings.Index(t, "%s")
	text := pre + t[:i] + v + t[i+2:] + " " + g.prose(2+g.r.IntN(5)) + "."
	start := len(pre) + i
	return Sample{Text: text, Spans: []Span{{Entity: e, Start: start, End: start + len(v)}}}
}

var generators = map[pii.Entity]func(*gen) string{
	pii.Email: func(g *gen) string {
		f, l := g.pick(firstNames), g.pick(lastNames)
		local := g.pick([]string{f + "." + l, f + "_" + l + g.digits(2), f[:1] + l, f + "+" + g.pick(words), l + g.digits(4)})
		return local + "@" + g.pick(domains)
	},
	pii.Phone:      (*gen).phone,
	pii.CreditCard: (*gen).card,
	pii.IBAN:       (*gen).iban,
	pii.USSSN: func(g *gen) string {
		area := 1 + g.r.IntN(899)
		for area == 666 {
			area = 1 + g.r.IntN(899)
		}
		d := fmt.Sprintf("%03d%02d%04d", area, 1+g.r.IntN(99), 1+g.r.IntN(9999))
		sep := g.pick([]string{"-", "-", "-", " "})
		return d[:3] + sep + d[3:5] + sep + d[5:]
	},
	pii.IPAddress: func(g *gen) string {
		if g.r.IntN(3) == 0 {
			var a [16]byte
			a[0], a[1] = 0x20, 0x01
			for i := 2; i < 16; i++ {
				if g.r.IntN(3) > 0 {
					a[i] = byte(g.r.IntN(256))
				}
			}
			return netip.AddrFrom16(a).String()
		}
		return fmt.Sprintf("%d.%d.%d.%d", 1+g.r.IntN(223), g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
	},
	pii.URLCredentials: func(g *gen) string {
		return g.pick(firstNames) + ":" + g.chars(alnum, 8+g.r.IntN(8))
	},
	pii.CryptoWallet: (*gen).wallet,
	pii.OpenAIKey: func(g *gen) string {
		if g.r.IntN(2) == 0 {
			return "sk-proj-" + g.chars(b64url, 74) + "T3BlbkFJ" + g.chars(b64url, 74)
		}
		return "sk-" + g.chars(alnum, 20) + "T3BlbkFJ" + g.chars(alnum, 20)
	},
	pii.AnthropicKey: func(g *gen) string {
		return g.pick([]string{"sk-ant-api03-", "sk-ant-admin01-"}) + g.chars(b64url, 93) + "AA"
	},
	pii.AWSAccessKey: func(g *gen) string {
		return g.pick([]string{"AKIA", "ASIA", "ABIA", "ACCA"}) + g.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	},
	pii.AWSSecretKey: func(g *gen) string { return g.chars(b64std, 40) },
	pii.GitHubToken: func(g *gen) string {
		if g.r.IntN(4) == 0 {
			return "github_pat_" + g.chars(alnum+"_", 82)
		}
		return g.pick([]string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}) + g.chars(alnum, 36)
	},
	pii.GitLabToken: func(g *gen) string { return g.pick([]string{"glpat-", "gldt-", "glrt-"}) + g.chars(b64url, 20) },
	pii.SlackToken: func(g *gen) string {
		return g.pick([]string{"xoxb-", "xoxp-", "xoxe-"}) + g.digits(11) + "-" + g.digits(12) + "-" + g.chars(alnum, 24)
	},
	pii.SlackWebhook: func(g *gen) string {
		return "https://hooks.slack.com/services/T" + g.chars(upperNum, 8) + "/B" + g.chars(upperNum, 8) + "/" + g.chars(alnum, 24)
	},
	pii.StripeKey: func(g *gen) string {
		return g.pick([]string{"sk_live_", "sk_test_", "rk_live_"}) + g.chars(alnum, 24+g.r.IntN(75))
	},
	pii.GoogleAPIKey: func(g *gen) string { return "AIza" + g.chars(b64url, 35) },
	pii.JWT: func(g *gen) string {
		enc := base64.RawURLEncoding.EncodeToString
		h := enc([]byte(fmt.Sprintf(`{"alg":"%s","typ":"JWT"}`, g.pick([]string{"HS256", "RS256", "ES256"}))))
		p := enc([]byte(fmt.Sprintf(`{"sub":"%s","iat":%d}`, g.digits(8), 1700000000+g.r.IntN(1e7))))
		return h + "." + p + "." + g.chars(b64url, 43)
	},
	pii.PrivateKey: func(g *gen) string {
		kind := g.pick([]string{"RSA ", "EC ", "OPENSSH ", ""})
		var b strings.Builder
		b.WriteString("-----BEGIN " + kind + "PRIVATE KEY-----\n")
		for i := 0; i < 3+g.r.IntN(5); i++ {
			b.WriteString(g.chars(b64std, 64) + "\n")
		}
		b.WriteString("-----END " + kind + "PRIVATE KEY-----")
		return b.String()
	},
	pii.Authorization: func(g *gen) string { return g.chars(alnum+"-._", 32) },
	pii.ConnectionString: func(g *gen) string {
		return g.pick(firstNames) + ":" + g.chars(alnum, 10+g.r.IntN(8))
	},
	pii.GenericSecret: func(g *gen) string { return g.chars(alnum, 16+g.r.IntN(24)) },
}

func (g *gen) phone() string {
	regions := []string{"US", "GB", "DE", "FR", "IN", "BR", "AU", "ES", "IT", "NL"}
	for {
		region := g.pick(regions)
		ex := phonenumbers.GetExampleNumber(region)
		if ex == nil {
			continue
		}
		nsn := phonenumbers.GetNationalSignificantNumber(ex)
		keep := len(nsn) - 4
		cand := nsn[:keep] + g.digits(len(nsn)-keep)
		p, err := phonenumbers.Parse(cand, region)
		if err != nil || !phonenumbers.IsValidNumber(p) {
			continue
		}
		switch g.r.IntN(3) {
		case 0:
			return phonenumbers.Format(p, phonenumbers.E164)
		case 1:
			return phonenumbers.Format(p, phonenumbers.INTERNATIONAL)
		default:
			return phonenumbers.Format(p, phonenumbers.NATIONAL)
		}
	}
}

// luhnDigit is the check digit that makes payload+digit pass Luhn.
func luhnDigit(payload string) byte {
	for d := byte('0'); d <= '9'; d++ {
		if pii.Luhn(payload + string(d)) {
			return d
		}
	}
	panic("no Luhn check digit") // one of ten always works
}

func (g *gen) card() string {
	type brand struct {
		prefix string
		length int
	}
	b := []brand{{"4", 16}, {"4", 13}, {"51", 16}, {"55", 16}, {"2221", 16}, {"34", 15}, {"37", 15}, {"6011", 16}, {"65", 16}, {"3530", 16}, {"36", 14}, {"62", 16}}[g.r.IntN(12)]
	payload := b.prefix + g.digits(b.length-len(b.prefix)-1)
	d := payload + string(luhnDigit(payload))
	switch g.r.IntN(3) {
	case 0:
		return d
	case 1:
		return group(d, " ", b.length == 15)
	default:
		return group(d, "-", b.length == 15)
	}
}

// group writes a card number in groups of four (Amex 4-6-5).
func group(d, sep string, amex bool) string {
	if amex {
		return d[:4] + sep + d[4:10] + sep + d[10:]
	}
	var parts []string
	for i := 0; i < len(d); i += 4 {
		parts = append(parts, d[i:min(len(d), i+4)])
	}
	return strings.Join(parts, sep)
}

func (g *gen) iban() string {
	countries := map[string]int{"DE": 22, "GB": 22, "FR": 27, "NL": 18, "ES": 24, "IT": 27, "CH": 21, "BE": 16, "PL": 28, "SE": 24}
	cs := []string{"DE", "GB", "FR", "NL", "ES", "IT", "CH", "BE", "PL", "SE"}
	c := g.pick(cs)
	bban := g.digits(countries[c] - 4)
	if c == "GB" || c == "NL" {
		bban = g.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4) + bban[4:]
	}
	check := 98 - mod97(bban+c+"00")
	v := fmt.Sprintf("%s%02d%s", c, check, bban)
	if g.r.IntN(2) == 0 {
		return group(v, " ", false)
	}
	return v
}

func mod97(s string) int {
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem
}

func (g *gen) wallet() string {
	if g.r.IntN(2) == 0 {
		payload := make([]byte, 21)
		payload[0] = []byte{0x00, 0x05}[g.r.IntN(2)]
		for i := 1; i < 21; i++ {
			payload[i] = byte(g.r.IntN(256))
		}
		h := sha256.Sum256(payload)
		h = sha256.Sum256(h[:])
		return base58(append(payload, h[:4]...))
	}
	prog := make([]byte, 20)
	for i := range prog {
		prog[i] = byte(g.r.IntN(256))
	}
	return bech32("bc", append([]byte{0}, convertBits(prog)...))
}

func base58(b []byte) string {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	digits := []byte{0}
	for _, c := range b {
		carry := int(c)
		for i := range digits {
			carry += int(digits[i]) << 8
			digits[i] = byte(carry % 58)
			carry /= 58
		}
		for carry > 0 {
			digits = append(digits, byte(carry%58))
			carry /= 58
		}
	}
	var out []byte
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i := len(digits) - 1; i >= 0; i-- {
		if i == len(digits)-1 && digits[i] == 0 && len(digits) > 1 {
			continue
		}
		out = append(out, alphabet[digits[i]])
	}
	return string(out)
}

func convertBits(data []byte) []byte {
	var out []byte
	acc, bits := 0, 0
	for _, v := range data {
		acc = acc<<8 | int(v)
		bits += 8
		for bits >= 5 {
			bits -= 5
			out = append(out, byte(acc>>bits&31))
		}
	}
	if bits > 0 {
		out = append(out, byte(acc<<(5-bits)&31))
	}
	return out
}

func bech32(hrp string, data []byte) string {
	const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	polymod := func(values []byte) uint32 {
		chk := uint32(1)
		for _, v := range values {
			top := chk >> 25
			chk = (chk&0x1ffffff)<<5 ^ uint32(v)
			for i := 0; i < 5; i++ {
				if top>>i&1 == 1 {
					chk ^= gen[i]
				}
			}
		}
		return chk
	}
	var values []byte
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]>>5)
	}
	values = append(values, 0)
	for i := 0; i < len(hrp); i++ {
		values = append(values, hrp[i]&31)
	}
	values = append(values, data...)
	mod := polymod(append(values, 0, 0, 0, 0, 0, 0)) ^ 1
	var b strings.Builder
	b.WriteString(hrp + "1")
	for _, d := range data {
		b.WriteByte(charset[d])
	}
	for i := 0; i < 6; i++ {
		b.WriteByte(charset[mod>>(5*(5-i))&31])
	}
	return b.String()
}

// negative is a chat-like text full of look-alikes and no sensitive value.
func (g *gen) negative() Sample {
	lookalikes := []func(*gen) string{
		func(g *gen) string { return "Order #" + g.digits(9) + " has shipped." },
		func(g *gen) string { return "Order ORD-2024-" + g.digits(6) + " is delayed." },
		func(g *gen) string { return "request id " + uuid(g) + " failed" },
		func(g *gen) string { return "fixed in commit " + g.chars("0123456789abcdef", 40) },
		func(g *gen) string { return "short sha " + g.chars("0123456789abcdef", 7) },
		func(g *gen) string {
			return fmt.Sprintf("at 2024-%02d-%02dT%02d:%02d:%02dZ the job ran", 1+g.r.IntN(12), 1+g.r.IntN(28), g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
		},
		func(g *gen) string { return fmt.Sprintf("timestamp %d", 1600000000+g.r.IntN(2e8)) },
		func(g *gen) string {
			return fmt.Sprintf("upgraded to version %d.%d.%d.%d", 1+g.r.IntN(20), g.r.IntN(10), g.r.IntN(10), g.r.IntN(10))
		},
		func(g *gen) string {
			return fmt.Sprintf("pip install numpy==%d.%d.%d", 1+g.r.IntN(2), g.r.IntN(30), g.r.IntN(10))
		},
		func(g *gen) string { return "product code SKU-" + g.digits(16) + " in stock" },
		func(g *gen) string {
			return "part " + g.chars("ABCDEFGHJKLMNPQRSTUVWXYZ", 3) + "-" + g.digits(5) + "-" + g.chars(upperNum, 2)
		},
		func(g *gen) string { return "use sk-learn or scikit-learn for the model" },
		func(g *gen) string { return "payload " + base64.StdEncoding.EncodeToString([]byte(g.prose(6))) },
		func(g *gen) string {
			enc := base64.RawURLEncoding.EncodeToString
			return "blob " + enc([]byte(`{"kid":"`+g.digits(4)+`"}`)) + "." + enc([]byte(g.prose(4))) + "." + g.chars(b64url, 20)
		},
		func(g *gen) string {
			d := "4" + g.digits(14)
			bad := (luhnDigit(d) - '0' + 1 + byte(g.r.IntN(8))) % 10
			return "card 4 digits wrong: " + d + string('0'+bad)
		},
		func(g *gen) string { return "IBAN-like DE00" + g.digits(18) + " with a bad check" },
		func(g *gen) string {
			return fmt.Sprintf("latency p99 %d.%dms over %d tokens", g.r.IntN(900), g.r.IntN(10), g.r.IntN(5000))
		},
		func(g *gen) string {
			return fmt.Sprintf("price $%d,%03d.%02d", 1+g.r.IntN(99), g.r.IntN(1000), g.r.IntN(100))
		},
		func(g *gen) string { return "model gpt-4o-2024-08-06 and claude-3-5-sonnet-20241022" },
		func(g *gen) string {
			return fmt.Sprintf("meet at %02d:%02d:%02d", g.r.IntN(24), g.r.IntN(60), g.r.IntN(60))
		},
		func(g *gen) string { return "mac 00:1A:2B:" + g.chars("0123456789ABCDEF", 2) + ":4D:5E" },
		func(g *gen) string { return "use std::vector and a::b in C++" },
		func(g *gen) string { return "mail admin@localhost or ops@build.internal" },
		func(g *gen) string { return "icon@2x.png and @mention" },
		func(g *gen) string {
			return fmt.Sprintf("ISBN 978-%d-%02d-%06d-%d", g.r.IntN(10), g.r.IntN(100), g.r.IntN(1e6), g.r.IntN(10))
		},
		func(g *gen) string {
			return fmt.Sprintf("coordinates %d.%04d, -%d.%04d", g.r.IntN(90), g.r.IntN(1e4), g.r.IntN(180), g.r.IntN(1e4))
		},
		func(g *gen) string {
			return fmt.Sprintf("kernel %d.%d.0-%d-azure", 4+g.r.IntN(3), g.r.IntN(20), 1000+g.r.IntN(99))
		},
		func(g *gen) string { return "the password: please reset it via the portal" },
		func(g *gen) string { return "api_key: <your key here>, token=${API_TOKEN}" },
		func(g *gen) string { return "max_tokens: 4096, temperature: 0.7, top_p: 0.95" },
		func(g *gen) string { return "see https://docs.example.com/v1/guide?page=" + g.digits(3) },
		func(g *gen) string {
			return fmt.Sprintf("invoice %d/%d/%d", 1+g.r.IntN(28), 1+g.r.IntN(12), 2020+g.r.IntN(6))
		},
		func(g *gen) string { return fmt.Sprintf("zip %05d, phone extension %d", g.r.IntN(1e5), g.r.IntN(1000)) },
		func(g *gen) string { return "Bearer tokens are documented in RFC 6750" },
	}
	var parts []string
	for k := 0; k < 2+g.r.IntN(3); k++ {
		parts = append(parts, g.prose(2+g.r.IntN(5)), lookalikes[g.r.IntN(len(lookalikes))](g))
	}
	return Sample{Text: strings.Join(parts, " ") + "."}
}

func uuid(g *gen) string {
	h := g.chars("0123456789abcdef", 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:]
}
