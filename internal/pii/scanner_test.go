package pii

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// found renders findings as "ENTITY value" for readable tables.
func found(text string, fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %s", f.Entity, text[f.Start:f.End]))
	}
	return out
}

type detectCase struct {
	text string
	want []string // "ENTITY value"; empty means the text must survive
}

func runCases(t *testing.T, s *Scanner, cases []detectCase) {
	t.Helper()
	for _, c := range cases {
		got := found(c.text, s.Scan(c.text, nil))
		want := c.want
		if want == nil {
			want = []string{}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("Scan(%q)\n got  %q\n want %q", c.text, got, want)
		}
	}
}

func rep(s string, n int) string { return strings.Repeat(s, n) }

func TestDetectors(t *testing.T) {
	s := NewScanner(nil, nil)
	t.Run("email", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"mail john.doe@example.com now", []string{"EMAIL john.doe@example.com"}},
			{"<Jane_Roe+tag@mail.company.co.uk>", []string{"EMAIL Jane_Roe+tag@mail.company.co.uk"}},
			{"mailto:ops@acme.io.", []string{"EMAIL ops@acme.io"}},
			{"end of sentence a.b@startup.ai.Then", []string{"EMAIL a.b@startup.ai"}},
			{"admin@localhost and ops@build.internal", nil},
			{"icon@2x.png, @mention, foo@bar", nil},
			{"npm i @types/node", nil},
		})
	})
	t.Run("credit card", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"visa 4111111111111111", []string{"CREDIT_CARD 4111111111111111"}},
			{"4111 1111 1111 1111 exp 04/27", []string{"CREDIT_CARD 4111 1111 1111 1111"}},
			{"mc 5555-5555-5555-4444", []string{"CREDIT_CARD 5555-5555-5555-4444"}},
			{"mc2 2221000000000009", []string{"CREDIT_CARD 2221000000000009"}},
			{"amex 3782 822463 10005", []string{"CREDIT_CARD 3782 822463 10005"}},
			{"discover 6011111111111117 jcb 3530111333300000", []string{"CREDIT_CARD 6011111111111117", "CREDIT_CARD 3530111333300000"}},
			{"diners 30569309025904", []string{"CREDIT_CARD 30569309025904"}},
			{"luhn fails 4111111111111112", nil},
			{"unknown issuer 1234567812345670", nil},
			{"product code SKU-4111111111111111", nil},
			{"order 4111111111111111-7 is an id", nil},
			{"mixed separators 4111 1111-1111 1111", nil},
		})
	})
	t.Run("iban", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"DE89370400440532013000", []string{"IBAN DE89370400440532013000"}},
			{"iban: DE89 3704 0044 0532 0130 00.", []string{"IBAN DE89 3704 0044 0532 0130 00"}},
			{"GB82WEST12345698765432 FR1420041010050500013M02606", []string{"IBAN GB82WEST12345698765432", "IBAN FR1420041010050500013M02606"}},
			{"NL91ABNA0417164300 BE68539007547034", []string{"IBAN NL91ABNA0417164300", "IBAN BE68539007547034"}},
			{"bad check DE89370400440532013001", nil},
			{"wrong length DE8937040044053201300", nil},
			{"unknown country QQ89370400440532013000", nil},
		})
	})
	t.Run("us ssn", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"SSN 536-22-1234", []string{"US_SSN 536-22-1234"}},
			{"ssn 536 22 1234", []string{"US_SSN 536 22 1234"}},
			{"social security number 536221234", []string{"US_SSN 536221234"}},
			{"sample 078-05-1120, 123-45-6789", nil},
			{"rules 000-12-3456 666-12-3456 912-12-3456 536-00-1234 536-22-0000 111-11-1111", nil},
			{"mixed 536-22 1234", nil},
			{"no context 536221234", nil},
		})
	})
	t.Run("phone", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"call +1 415-555-2671 now", []string{"PHONE +1 415-555-2671"}},
			{"(415) 555-2671", []string{"PHONE (415) 555-2671"}},
			{"415.555.2671", []string{"PHONE 415.555.2671"}},
			{"+44 20 7946 0958 or 020 7946 0958", []string{"PHONE +44 20 7946 0958", "PHONE 020 7946 0958"}},
			{"+4930901820", []string{"PHONE +4930901820"}},
			{"+33 1 42 68 53 00", []string{"PHONE +33 1 42 68 53 00"}},
			{"0044 20 7946 0958", []string{"PHONE 0044 20 7946 0958"}},
			{"phone: 4155552671", []string{"PHONE 4155552671"}},
			{"order 4155552671", nil},
			{"2024-01-15 and 15.01.2024", nil},
			{"reference 2024-118", nil},
			{"scores 85 92 78 88 95", nil},
			{"ORD-2024-000123", nil},
		})
	})
	t.Run("ip address", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"from 192.168.1.20 failed", []string{"IP_ADDRESS 192.168.1.20"}},
			{"net 10.0.0.0/8", []string{"IP_ADDRESS 10.0.0.0"}},
			{"v6 2001:db8::8a2e:370:7334.", []string{"IP_ADDRESS 2001:db8::8a2e:370:7334"}},
			{"[fe80::1ff:fe23:4567:890a]:443", []string{"IP_ADDRESS fe80::1ff:fe23:4567:890a"}},
			{"version 10.1.2.3, v: 10.1.2.3, pkg==10.1.2.3, build 1.2.3.4", nil},
			{"999.1.1.1 and 1.2.3 and 1.2.3.4.5", nil},
			{"10:30:45 00:1A:2B:3C:4D:5E std::vector a::b ::1", nil},
		})
	})
	t.Run("url credentials and connection strings", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"https://bob:hunter2@example.com/x", []string{"URL_CREDENTIALS bob:hunter2"}},
			{"postgres://admin:s3cr3t@db:5432/app", []string{"CONNECTION_STRING admin:s3cr3t"}},
			{"mongodb+srv://u:p4ss@cluster0.example.net", []string{"CONNECTION_STRING u:p4ss"}},
			{"Server=db;Database=app;Password=Pa55word!;", []string{"CONNECTION_STRING Pa55word!"}},
			{"https://example.com/a@b and https://user@example.com and postgres://u:${PASS}@db", nil},
		})
	})
	t.Run("crypto wallet", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", []string{"CRYPTO_WALLET 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"}},
			{"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", []string{"CRYPTO_WALLET 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"}},
			{"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", []string{"CRYPTO_WALLET bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"}},
			{"bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", []string{"CRYPTO_WALLET bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297"}},
			{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx", nil},
		})
	})
	t.Run("provider tokens", func(t *testing.T) {
		openai := "sk-proj-" + rep("a1B2", 18) + "ab" + "T3BlbkFJ" + rep("c3D4", 18) + "cd"
		legacy := "sk-" + rep("Ab1", 6) + "xy" + "T3BlbkFJ" + rep("Zz9", 6) + "wv"
		anthropic := "sk-ant-api03-" + rep("aB3_", 23) + "x" + "AA"
		runCases(t, s, []detectCase{
			{"key " + openai + " end", []string{"OPENAI_API_KEY " + openai}},
			{legacy, []string{"OPENAI_API_KEY " + legacy}},
			{"x-api-key: " + anthropic, []string{"ANTHROPIC_API_KEY " + anthropic}},
			{"AKIAIOSFODNN7EXAMPLE", []string{"AWS_ACCESS_KEY AKIAIOSFODNN7EXAMPLE"}},
			{"AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []string{"AWS_ACCESS_KEY AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_KEY wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
			{"ghp_" + rep("aZ09", 9), []string{"GITHUB_TOKEN ghp_" + rep("aZ09", 9)}},
			{"github_pat_" + rep("11AbC_", 14), []string{"GITHUB_TOKEN github_pat_" + rep("11AbC_", 14)}},
			{"glpat-" + rep("x1Y2-", 4), []string{"GITLAB_TOKEN glpat-" + rep("x1Y2-", 4)}},
			{"xoxb-12345678901-123456789012-" + rep("Ab1", 8), []string{"SLACK_TOKEN xoxb-12345678901-123456789012-" + rep("Ab1", 8)}},
			{"post https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX now", []string{"SLACK_WEBHOOK https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"}},
			{"sk_live_" + rep("4eC39Hq", 4), []string{"STRIPE_KEY sk_live_" + rep("4eC39Hq", 4)}},
			{"AIza" + rep("SyD-9x", 5) + "abcde", []string{"GOOGLE_API_KEY AIza" + rep("SyD-9x", 5) + "abcde"}},
			{"use sk-learn, scikit-learn, sk-1234, AKIA1234, ghp_short", nil},
		})
	})
	t.Run("jwt", func(t *testing.T) {
		jwt := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
		runCases(t, s, []detectCase{
			{"token " + jwt + ".", []string{"JWT " + jwt}},
			// {"kid":"1"} has no alg: a dotted base64 blob, not a token.
			{"blob eyJraWQiOiIxIn0.Zm9yIGFuc3dlciBpbnZvaWNl.xyzxyzxyzxyz", nil},
			{"eyJmb28iOiJiYXIifQ== alone", nil},
		})
	})
	t.Run("private key", func(t *testing.T) {
		pem := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----"
		cut := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"
		runCases(t, s, []detectCase{
			{"key:\n" + pem + "\nthanks", []string{"PRIVATE_KEY " + pem}},
			{cut, []string{"PRIVATE_KEY " + cut}},
			{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", nil},
		})
	})
	t.Run("authorization", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"Authorization: Bearer abcDEF123456ghiJKL", []string{"AUTHORIZATION abcDEF123456ghiJKL"}},
			{"authorization: basic dXNlcjpwYXNzd29yZA==", []string{"AUTHORIZATION dXNlcjpwYXNzd29yZA=="}},
			{"Bearer tokens are described in RFC 6750; basic understanding", nil},
		})
	})
	t.Run("generic key=value", func(t *testing.T) {
		runCases(t, s, []detectCase{
			{"api_key=Zx81kLm93QpR7sT2", []string{"GENERIC_SECRET Zx81kLm93QpR7sT2"}},
			{`{"client_secret": "q8Fz2LkP0wX7vB3n"}`, []string{"GENERIC_SECRET q8Fz2LkP0wX7vB3n"}},
			{"DB_PASSWORD=hunter22", []string{"GENERIC_SECRET hunter22"}},
			{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", []string{"AWS_SECRET_KEY wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}},
			{"the password: please reset it; api_key: <your key>; token=${TOKEN}; max_tokens: 4096; primary_key: customer_id", nil},
		})
	})
}

// TestLookAlikes lists values that resemble PII or secrets and must survive.
func TestLookAlikes(t *testing.T) {
	s := NewScanner(nil, nil)
	runCases(t, s, []detectCase{
		{"order #100234567 and ORD-2024-000123 shipped", nil},
		{"request 123e4567-e89b-12d3-a456-426614174000 and 12345678-1234-5678-1234-567812345678", nil},
		{"fixed in 3f9a1c2b7d4e5f60718293a4b5c6d7e8f9012345 (short 9b2c4e1)", nil},
		{"at 2024-01-15T10:30:00Z, 2024-01-15 10:30:00.123, epoch 1700000000, 1700000000123 ms", nil},
		{"upgrade to version 10.1.2.3 (v2.14.1, numpy==1.26.4, kernel 5.15.0-1051-azure)", nil},
		{"part ABC-12345-XY, SKU 4006381333931, ISBN 978-3-16-148410-0", nil},
		{"use sk-learn or scikit-learn; sk-1234 is a ticket", nil},
		{"payload aGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYSBzZWNyZXQ= and eyJmb28iOiJiYXIifQ", nil},
		{"model gpt-4o-2024-08-06, claude-3-5-sonnet-20241022, price $1,234.56, 99.9% of 12,431 requests", nil},
		{"call at 10:30, room 4.2.1, coordinates 37.7749, -122.4194, zip 94103", nil},
		{"revenue 70000.0000 USD, 612345678.25 EUR, balance 0612.345678", nil},
	})
}

func TestOverlapsMerge(t *testing.T) {
	// A JWT after Bearer is typed by the more specific detector, and no byte of either
	// candidate is left out.
	jwt := "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	s := NewScanner(nil, nil)
	text := "Authorization: Bearer " + jwt
	runCases(t, s, []detectCase{{text, []string{"JWT " + jwt}}})
}

func TestDisabledDetectors(t *testing.T) {
	s := NewScanner([]Entity{IPAddress, Email}, nil)
	runCases(t, s, []detectCase{{"ip 192.168.1.20 mail a@example.com card 4111111111111111", []string{"CREDIT_CARD 4111111111111111"}}})
}

func TestCustomDetectors(t *testing.T) {
	emp := regexp.MustCompile(`EMP-[0-9]{6}`)
	acct := regexp.MustCompile(`\b[0-9]{16}\b`)
	s := NewScanner(nil, []Custom{
		{Entity: "EMPLOYEE_ID", Regex: emp},
		{Entity: "ACCOUNT", Regex: acct, Keywords: []string{"ACCT"}, Validate: Luhn},
	})
	runCases(t, s, []detectCase{
		{"badge EMP-123456 issued", []string{"EMPLOYEE_ID EMP-123456"}},
		{"acct 7992739871300001", nil}, // Luhn fails
		// A custom detector is more specific than a built-in PII detector.
		{"acct 5105105105105100", []string{"ACCOUNT 5105105105105100"}},
		{"ref 7992739871300000 no keyword", nil},
	})
}

func TestValidators(t *testing.T) {
	if !Luhn("79927398713") || Luhn("79927398710") || Luhn("1") || Luhn("12a4") {
		t.Error("Luhn")
	}
	if !Mod97("GB82WEST12345698765432") || Mod97("GB82WEST12345698765433") || Mod97("GB8") {
		t.Error("Mod97")
	}
	if e := Entropy("aaaa"); e != 0 {
		t.Errorf("Entropy(aaaa) = %v", e)
	}
	if e := Entropy("abcd"); e != 2 {
		t.Errorf("Entropy(abcd) = %v", e)
	}
}

func TestIsSecretKey(t *testing.T) {
	for _, k := range []string{"authorization", "http.request.header.authorization", "x-api-key", "http.request.header.x-api-key",
		"api_key", "apiKey", "db.password", "DB_PASSWORD", "client_secret", "clientSecret", "access_token", "cookie",
		"http.response.header.set-cookie", "private_key", "aws.credentials"} {
		if !IsSecretKey(k, nil) {
			t.Errorf("IsSecretKey(%q) = false", k)
		}
	}
	for _, k := range []string{"gen_ai.usage.input_tokens", "gen_ai.request.max_tokens", "gen_ai.token.type", "user.id", "key", "monkey.name", "tokenizer"} {
		if IsSecretKey(k, nil) {
			t.Errorf("IsSecretKey(%q) = true", k)
		}
	}
	if !IsSecretKey("app.pin_code", []string{"pin_code"}) {
		t.Error("extra secret key not matched")
	}
}

// TestSkipAlignment moves values across the eight-byte skip of lower-case prose: what
// is found must not depend on where a value falls.
func TestSkipAlignment(t *testing.T) {
	s := NewScanner(nil, nil)
	values := []struct{ text, want string }{
		{"the password: hunter22 now", "GENERIC_SECRET hunter22"},
		{`the "password": "hunter22" now`, "GENERIC_SECRET hunter22"},
		{"the password  = hunter22 now", "GENERIC_SECRET hunter22"},
		{"bearer ab-c.defghijklmnop12345 ok", "AUTHORIZATION ab-c.defghijklmnop12345"},
		{"use bearer abcdef123456ghijkl please", "AUTHORIZATION abcdef123456ghijkl"},
		{"post to hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX ok", "SLACK_WEBHOOK hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"},
		{"write to john.doe@example.com soon", "EMAIL john.doe@example.com"},
		{"my secret is sk-proj-" + rep("a1B2", 12) + " ok", "OPENAI_API_KEY sk-proj-" + rep("a1B2", 12)},
	}
	for _, v := range values {
		for pad := 0; pad < 17; pad++ {
			text := strings.Repeat("x", pad) + " " + v.text
			got := found(text, s.Scan(text, nil))
			if len(got) != 1 || got[0] != v.want {
				t.Errorf("pad %d: Scan(%q) = %q, want [%q]", pad, text, got, v.want)
			}
		}
	}
}

// TestPhoneValidationBudget: text crafted to be full of phone-shaped numbers costs at
// most maxPhoneChecks validations; past them, phone-shaped numbers are redacted
// without asking libphonenumber (the safe side).
func TestPhoneValidationBudget(t *testing.T) {
	s := NewScanner(nil, nil)
	// +1 415 155-xxxx is phone-shaped but invalid: NANP exchanges cannot start with 1.
	one := "call +1 415 155-0000; "
	if fs := s.Scan(one, nil); len(fs) != 0 {
		t.Fatalf("invalid number found: %q", found(one, fs))
	}
	text := strings.Repeat(one, maxPhoneChecks+10)
	fs := s.Scan(text, nil)
	if len(fs) != 10 {
		t.Fatalf("%d findings, want the 10 past the budget", len(fs))
	}
	if fs[0].Start != maxPhoneChecks*len(one)+5 || fs[0].Entity != Phone {
		t.Errorf("first finding %+v", fs[0])
	}
}

// TestSkipBoring: the word-wide test agrees with the byte table for every byte value at
// every position of a word, and skipBoring stops at the first byte that is not boring.
func TestSkipBoring(t *testing.T) {
	for b := 0; b < 256; b++ {
		c := byte(b)
		prose := c >= 'a' && c <= 'z' || c == ' ' || c == '.' || c == ','
		if prose && !boring[c] {
			t.Fatalf("%q is prose but not boring", c)
		}
		for pos := 0; pos < 8; pos++ {
			w := []byte("abcdefgh")
			w[pos] = c
			var x uint64
			for k := 7; k >= 0; k-- {
				x = x<<8 | uint64(w[k])
			}
			m := notProse(x)
			if got := m&(0x80<<(8*pos)) != 0; got == prose {
				t.Fatalf("notProse marks %q at %d: %v", c, pos, got)
			}
			if m&^(0x80<<(8*pos)) != 0 {
				t.Fatalf("notProse(%q at %d) marks other bytes: %#x", c, pos, m)
			}
			// The skip reads eight bytes a step, then one: the byte is put in the
			// first and the second step and in the last bytes.
			for _, text := range []string{string(w) + "zzzzzzzzz", "ijklmnop" + string(w) + "zzz", "xy" + string(w)} {
				for from := range 3 {
					want := from
					for want < len(text) && boring[text[want]] {
						want++
					}
					if got := skipBoring(text, from); got != want {
						t.Fatalf("skipBoring(%q, %d) = %d, want %d", text, from, got, want)
					}
				}
			}
		}
		// Texts shorter than a word (read padded with spaces), from every start.
		for n := 1; n < 8; n++ {
			for pos := range n {
				w := []byte("qrstuvw"[:n])
				w[pos] = c
				text := string(w)
				for from := 0; from <= n; from++ {
					want := from
					for want < n && boring[text[want]] {
						want++
					}
					if got := skipBoring(text, from); got != want {
						t.Fatalf("skipBoring(%q, %d) = %d, want %d", text, from, got, want)
					}
				}
			}
		}
	}
}

// TestSkipBoringLong: on texts of 32 bytes and more (32 bytes at a time with AVX2), the
// skip stops at the first byte that is not boring, for every byte value at every
// position of the first and the last, partial block, from every start.
func TestSkipBoringLong(t *testing.T) {
	const prose = "the quick brown fox, jumps over the lazy dog. then?! it's \"done\"; (ok)\n\r\t"
	for _, n := range []int{32, 33, 63, 64, 70, 96} {
		base := strings.Repeat(prose, 2)[:n]
		for b := 0; b < 256; b++ {
			for _, pos := range []int{0, 1, 7, 15, 16, 30, 31, 32, 33, n - 33, n - 2, n - 1} {
				if pos < 0 || pos >= n {
					continue
				}
				w := []byte(base)
				w[pos] = byte(b)
				text := string(w)
				for from := 0; from <= n; from++ {
					want := from
					for want < n && boring[text[want]] {
						want++
					}
					if got := skipBoring(text, from); !skippedProse(text, from, got, want) {
						t.Fatalf("skipBoring(%q, %d) = %d, want %d, or past it capitalized words of prose only", text, from, got, want)
					}
					if got := skipBoringWords(text, from); got != want {
						t.Fatalf("skipBoringWords(%q, %d) = %d, want %d", text, from, got, want)
					}
				}
			}
		}
	}
}

// skippedProse reports whether a skip from i that ended at got is right when the first
// byte that is not boring is want: got is want, or got is past it and stops at a byte
// that is not boring, having passed over boring bytes and capitalized words only.
func skippedProse(text string, i, got, want int) bool {
	if got == want {
		return true
	}
	if got < want || got < len(text) && boring[text[got]] {
		return false
	}
	for k := i; k < got; k++ {
		if !boring[text[k]] && !capitalized(text, k) && !shortWord(text, k) {
			return false
		}
	}
	return true
}

// shortWord is the reference for SHORTWORDS (skip_amd64.s): whether text[k] is a byte
// the vector skip passes over as part of a short word of prose that no detector looks
// at. A number finding has four digits or more, or continues past its first group with a
// separator and a digit; tokens and keys are longer than three bytes or end at a
// separator the skip stops at; '(' matters only before the digits of a phone number.
func shortWord(text string, k int) bool {
	switch c := text[k]; {
	case c == '(':
		return k+1 < len(text) && !isDigit(text[k+1])
	case isDigit(c):
		return shortRun(text, k, isDigit, func(e int) bool { return e+1 < len(text) && text[e] == ' ' && isAlpha(text[e+1]) })
	case isUpper(c):
		return shortRun(text, k, isUpper, func(e int) bool {
			return e < len(text) && (text[e] == ' ' || text[e] == ',' || text[e] == ')')
		})
	}
	return false
}

// shortRun reports whether text[k] is in a run of one to three bytes of a kind that
// starts after a space and ends at e where end(e).
func shortRun(text string, k int, kind func(byte) bool, end func(e int) bool) bool {
	s, e := k, k
	for s > 0 && kind(text[s-1]) {
		s--
	}
	for e < len(text) && kind(text[e]) {
		e++
	}
	return e-s <= 3 && s > 0 && text[s-1] == ' ' && end(e)
}

// TestSkipShortWords: the vector skip passes over short numbers and capitals of prose
// and '(' before a letter, and stops at those a detector may start with.
func TestSkipShortWords(t *testing.T) {
	for _, c := range []struct {
		text string
		p    int
		want bool
	}{
		{"at 128 EUR", 3, true}, {"at 128 EUR", 5, true}, {"at 128 EUR now", 7, true}, {"at 128 EUR", 7, false}, {"in 2 hours", 3, true},
		{"at 1284 EUR", 3, false}, {"at 128 2671", 3, false}, {"at 128-2671", 3, false}, {"at 128, then", 3, false},
		{"v1.2 km", 3, false}, {"at 12 34 56 78 x", 9, false}, {"at#12 EUR", 3, false}, {"at 12", 3, false},
		{"the EUR price", 4, true}, {"the EU, then", 5, true}, {"(in EUR)", 6, true}, {"the EURO, then", 4, false},
		{"the DE89 3704", 4, false}, {"the AKIA x", 4, false}, {"the EUR:", 4, false}, {"the EUR.", 4, false},
		{"see (ref 12)", 4, true}, {"call (415) 555", 5, false}, {"x (+44 20", 2, true}, {"x(", 1, false},
	} {
		if got := shortWord(c.text, c.p); got != c.want {
			t.Errorf("shortWord(%q, %d) = %v", c.text, c.p, got)
		}
	}
	if !skipVector {
		t.Skip("no vector skip on this CPU")
	}
	text := "Your refund of 128 EUR (about 2 hours of work, in EU terms) goes to card 4111 1111 1111 1111 as agreed with the bank today."
	if got, want := skipBoring(text, 4), strings.Index(text, "4111"); got != want {
		t.Errorf("skipBoring(%q, 4) = %d, want %d (past the short words)", text, got, want)
	}
}

// TestSkipCapitalized: the capitals the vector skip passes over are those that start a
// word of prose, and it does pass over them.
func TestSkipCapitalized(t *testing.T) {
	for _, c := range []struct {
		text string
		p    int
		want bool
	}{
		{"the Quick", 4, true}, {"so\nHello", 3, false}, {"so.\nHello", 4, true}, {`say "Hi!`, 5, true},
		{"see (Note", 5, true}, {"the\tQuick", 4, true}, {"and I am", 4, true}, {"and I, me", 4, true},
		{"the QUick", 4, false}, {"the Q1ck", 4, false}, {"theQuick", 3, false}, {"the Q", 4, false},
		{"the Bearer", 4, false}, {"the basic", 4, false}, {"the Basic", 4, false}, {"the But", 4, true},
		{"bearer Abc", 7, false}, {"BASIC Abc", 6, false}, {"after Abc", 6, true}, {"foo Abc", 4, true},
		{"foo;Abc", 4, false}, {"Abc", 0, true}, {"I am", 0, true}, {"Bear", 0, false}, {"Ab", 0, false}, {"a Abc", 2, false},
	} {
		if got := capitalized(c.text, c.p); got != c.want {
			t.Errorf("capitalized(%q, %d) = %v", c.text, c.p, got)
		}
	}
	if !skipVector {
		t.Skip("no vector skip on this CPU")
	}
	text := "well, then Hello and\tWelcome to the (Acme help desk, Sam; I, \"But\" the Order #7 is late, and more words come after it to fill a block. Zzz"
	for _, from := range []int{4, strings.Index(text, "(") + 1} {
		want := strings.Index(text, "#7") + 1 // '#' is boring, the digit after it is not
		if got := skipBoring(text, from); got != want {
			t.Errorf("skipBoring(%q, %d) = %d, want %d (past the capitalized words)", text, from, got, want)
		}
	}
}

// TestWordAndDigitsEnd: the word-wide scans end where the byte tables say, for every
// byte value at every position, and on runs longer than a word.
func TestWordAndDigitsEnd(t *testing.T) {
	ref := func(text string, i int, in func(byte) bool) int {
		for i < len(text) && in(text[i]) {
			i++
		}
		return i
	}
	for b := 0; b < 256; b++ {
		for pos := 0; pos < 20; pos++ {
			for _, base := range []string{"abcdefghijKLMNOPQRST_-0123456789xyz", "01234567890123456789012345"} {
				w := []byte(base)
				w[pos] = byte(b)
				text := string(w)
				for _, i := range []int{0, 1, pos, 9} {
					if got, want := wordEnd(text, i), ref(text, i, isWord); got != want {
						t.Fatalf("wordEnd(%q, %d) = %d, want %d", text, i, got, want)
					}
					if got, want := digitsEnd(text, i), ref(text, i, isDigit); got != want {
						t.Fatalf("digitsEnd(%q, %d) = %d, want %d", text, i, got, want)
					}
				}
			}
		}
	}
}

// TestContextBefore: a context word counts in any case anywhere in the 40 bytes before
// the number, across the eight-byte steps, and not beyond them.
func TestContextBefore(t *testing.T) {
	const num = "536221234"
	for _, c := range []struct {
		before string
		want   bool
	}{
		{"my SSN is ", true}, {"ssn:", true}, {"Social Security number ", true}, {"SsN ", true},
		{"ssn" + strings.Repeat(" ", 37), true}, {"ssn" + strings.Repeat(" ", 38), false},
		{"xssn" + strings.Repeat(".", 30), true}, {"the order ", false}, {"ss n ", false}, {"", false},
		{"social se", false}, {"1234567ssn", true}, {"123456ssn", true}, {"12345678ssn", true},
	} {
		text := c.before + num
		if got := contextBefore(text, len(c.before), ssnContext); got != c.want {
			t.Errorf("contextBefore(%q) = %v, want %v", text, got, c.want)
		}
	}
	if !contextBefore("WhatsApp +1 ", 12, phoneContext) || contextBefore("the parcel is ", 14, phoneContext) {
		t.Error("phone context words")
	}
}
