package pii

import (
	"strings"
	"testing"
)

// chatText is about 2 KB of assistant prose, code and numbers, without PII.
var chatText = strings.Repeat("Sure! Here is a summary of the deployment: the service `checkout-api` (version 2.14.1) "+
	"handled 12,431 requests in the last hour with a p99 latency of 412ms. Order #100234567 was retried 3 times; "+
	"see commit 3f9a1c2b7d4e and request 123e4567-e89b-12d3-a456-426614174000. Next steps:\n1. Rotate the config.\n"+
	"2. Re-run `pytest -k checkout` at 2024-01-15T10:30:00Z.\n", 5)

// germanText is about 2 KB of assistant prose in German: umlauts, typographic quotes
// and dashes, the euro sign.
var germanText = strings.Repeat("Gerne! Ihre Bestellung wurde am Montag verschickt – die Sendungsverfolgung zeigt „in Zustellung“. "+
	"Für Rückfragen wenden Sie sich bitte an unser Büro in München; wir antworten üblicherweise innerhalb von 24 Stunden. "+
	"Die Rückerstattung über 49,90 € erfolgt automatisch, sobald das Päckchen bei uns eingetroffen ist. ", 7)

// phoneText has phone numbers in five formats: each national one is tried in the
// default regions' patterns.
const phoneText = "Hello, you can call our London office on 020 7946 0958 or the US desk at (415) 555-2671; " +
	"in Paris dial 01 42 68 53 00, in Berlin 030 901820, mobile +49 1512 3456789."

func BenchmarkScan(b *testing.B) {
	s := NewScanner(nil, nil)
	for _, c := range []struct{ name, text string }{
		{"clean_2KB", chatText},
		{"clean_2KB_de", germanText},
		{"phones", phoneText},
		{"pii_2KB", chatText[:len(chatText)-200] + " mail john.doe@example.com, call +1 415-555-2671, card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE."},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			b.ReportAllocs()
			buf := make([]Finding, 0, 16)
			for b.Loop() {
				buf = s.Scan(c.text, buf[:0])
			}
		})
	}
}
