// Package pii finds personal data and credentials in text.
//
// Detection follows the gitleaks design: one cheap pass over the bytes finds the places
// where a finding is possible (an '@', a run of digits, a token with a known secret
// prefix, a key followed by '=' or ':'), and only there do the checksum and format
// validators run (Luhn, mod-97, libphonenumber, Base58Check, Bech32, JSON headers of
// JWTs). Prose is skipped eight bytes at a time with a few word-wide operations that
// find the next byte that is not a lower-case letter, space, '.' or ','; the words
// around such bytes are examined, the rest is never looked at again. Custom regex
// detectors run only when one of their keywords (or their literal prefix) occurs.
package pii
