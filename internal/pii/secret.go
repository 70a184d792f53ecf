package pii

import (
	"net/netip"
	"strings"
)

// secretToken recognises provider tokens by their documented prefixes (the gitleaks
// keywords) and lengths. It returns where scanning resumes, or -1.
func (sc *scan) secretToken(start, end int) int {
	tok := sc.text[start:end]
	found := func(e Entity) int { sc.add(e, start, end); return end }
	switch tok[0] {
	case 's':
		switch {
		case strings.HasPrefix(tok, "sk-ant-"):
			if len(tok) >= 40 {
				return found(AnthropicKey)
			}
		case strings.HasPrefix(tok, "sk-"):
			if strings.Contains(tok, "T3BlbkFJ") && len(tok) >= 40 ||
				len(tok) >= 48 && (strings.HasPrefix(tok, "sk-proj-") || strings.HasPrefix(tok, "sk-svcacct-") || strings.HasPrefix(tok, "sk-admin-")) {
				return found(OpenAIKey)
			}
		case strings.HasPrefix(tok, "sk_live_"), strings.HasPrefix(tok, "sk_test_"), strings.HasPrefix(tok, "sk_prod_"):
			if len(tok) >= 18 {
				return found(StripeKey)
			}
		}
	case 'r':
		if (strings.HasPrefix(tok, "rk_live_") || strings.HasPrefix(tok, "rk_test_")) && len(tok) >= 18 {
			return found(StripeKey)
		}
	case 'w':
		if strings.HasPrefix(tok, "whsec_") && len(tok) >= 30 {
			return found(StripeKey)
		}
	case 'A':
		if len(tok) == 20 && awsKeyID(tok) {
			sc.aws = true
			return found(AWSAccessKey)
		}
		if len(tok) == 39 && strings.HasPrefix(tok, "AIza") {
			return found(GoogleAPIKey)
		}
	case 'g':
		if len(tok) >= 40 && len(tok) <= 255 && tok[0] == 'g' && tok[1] == 'h' && tok[3] == '_' && strings.IndexByte("pousr", tok[2]) >= 0 && alnum(tok[4:]) {
			return found(GitHubToken)
		}
		if strings.HasPrefix(tok, "github_pat_") && len(tok) >= 60 {
			return found(GitHubToken)
		}
		if tok[1] == 'l' { // every GitLab prefix: not "gpt-4o-2024-08-06", "grafana-..."
			for _, p := range gitlabPrefixes {
				if strings.HasPrefix(tok, p) && len(tok) >= len(p)+20 {
					return found(GitLabToken)
				}
			}
		}
	case 'x':
		if len(tok) >= 20 && (strings.HasPrefix(tok, "xox") && len(tok) > 5 && tok[4] == '-' && strings.IndexByte("bpaesr", tok[3]) >= 0 ||
			strings.HasPrefix(tok, "xapp-")) {
			return found(SlackToken)
		}
	case 'e':
		if strings.HasPrefix(tok, "eyJ") {
			return sc.jwt(start, end)
		}
	}
	return -1
}

var gitlabPrefixes = []string{"glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "glcbt-", "glimt-", "glagent-", "gloas-", "glft-"}

// awsKeyID matches AWS access key IDs: AKIA, ASIA, ABIA, ACCA or A3T? and 16 more
// upper-case letters or digits.
func awsKeyID(t string) bool {
	switch t[:4] {
	case "AKIA", "ASIA", "ABIA", "ACCA":
	default:
		if t[:3] != "A3T" {
			return false
		}
	}
	for i := 4; i < len(t); i++ {
		if !isUpper(t[i]) && !isDigit(t[i]) {
			return false
		}
	}
	return true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

// jwt matches header.payload[.signature] when the header decodes to JSON with "alg";
// base64 blobs with dots that are not tokens stay.
func (sc *scan) jwt(start, end int) int {
	text := sc.text
	n := len(text)
	if end >= n || text[end] != '.' {
		return -1
	}
	j := end + 1
	for j < n && (isWord(text[j])) {
		j++
	}
	if j-end-1 < 10 {
		return -1
	}
	if j < n && text[j] == '.' {
		j++
		for j < n && (isWord(text[j]) || text[j] == '=') {
			j++
		}
	}
	if !jwtHeader(text[start:end]) {
		return -1
	}
	sc.add(JWT, start, j)
	return j
}

// privateKey matches a PEM private key block, up to its END line or, when the text was
// cut, to the end of the text.
func (sc *scan) privateKey(start int) int {
	text := sc.text
	head := text[start:min(len(text), start+80)]
	k := strings.Index(head, "PRIVATE KEY")
	if k < 0 {
		return -1
	}
	body := start + k + len("PRIVATE KEY")
	end := len(text)
	if e := strings.Index(text[body:], "-----END"); e >= 0 {
		end = body + e + len("-----END")
		if f := strings.Index(text[end:], "-----"); f >= 0 && f < 80 {
			end += f + len("-----")
		}
	}
	sc.add(PrivateKey, start, end)
	return end
}

// authorization matches the credentials after "Bearer " and "Basic " (any case).
func (sc *scan) authorization(start, end int) int {
	text := sc.text
	word := text[start:end]
	basic := hasPrefixFold(word, "basic") && len(word) == 5
	if !basic && !(len(word) == 6 && hasPrefixFold(word, "bearer")) {
		return -1
	}
	vs := end + 1
	ve := vs
	for ve < len(text) && (isWord(text[ve]) || strings.IndexByte("._~+/=", text[ve]) >= 0) {
		ve++
	}
	v := text[vs:ve]
	if len(v) < 8 {
		return -1
	}
	te := vs
	for te < ve && isWord(text[te]) {
		te++
	}
	if te-vs >= 12 && sc.secretToken(vs, te) >= 0 {
		// A provider token or JWT: typed by its own detector when the findings merge.
		sc.add(Authorization, vs, ve)
		return ve
	}
	if basic {
		if !basicCredentials(v) {
			return -1
		}
	} else if len(v) < 12 || !hasDigit(v) && !(hasUpper(v) && hasLower(v)) {
		return -1
	}
	sc.add(Authorization, vs, ve)
	return ve
}

// slackWebhook matches hooks.slack.com/services|workflows|triggers/... URLs.
func (sc *scan) slackWebhook(start int) int {
	text := sc.text
	j := start + len("hooks.slack.com/")
	rest := text[j:]
	switch {
	case strings.HasPrefix(rest, "services/"), strings.HasPrefix(rest, "workflows/"), strings.HasPrefix(rest, "triggers/"):
	default:
		return -1
	}
	j += strings.IndexByte(rest, '/') + 1
	e := j
	for e < len(text) && (isWord(text[e]) || text[e] == '/' || text[e] == '+') {
		e++
	}
	if e-j < 20 {
		return -1
	}
	s := start
	if s >= 8 && text[s-8:s] == "https://" {
		s -= 8
	} else if s >= 7 && text[s-7:s] == "http://" {
		s -= 7
	}
	sc.add(SlackWebhook, s, e)
	return e
}

// keyValue matches key=value and key: value where the key names a secret (api_key,
// client_secret, password, ...) and the value looks like one.
func (sc *scan) keyValue(start, end int) int {
	text := sc.text
	n := len(text)
	j := end
	if text[j] == '"' || text[j] == '\'' {
		j++
	}
	for k := 0; k < 2 && j < n && text[j] == ' '; k++ {
		j++
	}
	if j >= n {
		return -1
	}
	switch text[j] {
	case '=':
		j++
		if j < n && text[j] == '>' {
			j++
		}
	case ':':
		j++
		if j < n && text[j] == '=' {
			j++
		}
	default:
		return -1
	}
	kind := secretKeyKind(text[start:end])
	if kind == notSecretKey {
		return -1
	}
	for k := 0; k < 3 && j < n && (text[j] == ' ' || text[j] == '\t'); k++ {
		j++
	}
	var quote byte
	if j < n && (text[j] == '"' || text[j] == '\'' || text[j] == '`') {
		quote = text[j]
		j++
	}
	vs := j
	for j < n && j-vs <= 200 {
		c := text[j]
		if quote != 0 && c == quote || quote == 0 && (c <= ' ' || strings.IndexByte(",;}])&\"'`", c) >= 0) || c == '\n' {
			break
		}
		j++
	}
	v := text[vs:j]
	if !secretValue(v, kind) {
		return -1
	}
	e := GenericSecret
	switch {
	case kind == awsSecretKey:
		e = AWSSecretKey
	case kind == passwordKey && (j < n && text[j] == ';' || start > 0 && text[start-1] == ';'):
		e = ConnectionString
	}
	sc.add(e, vs, j)
	return j
}

type keyKind int

const (
	notSecretKey keyKind = iota
	passwordKey
	tokenKey
	awsSecretKey
)

// secretKeyKind classifies a key by its ending (api_key, clientSecret, DB_PASSWORD).
// It runs on every word before a ':' or '=' in prose ("Note:", "10:32"), so it compares
// in place, without lower-casing the key first.
func secretKeyKind(key string) keyKind {
	if len(key) > 64 {
		return notSecretKey
	}
	secret := containsFold(key, "secret")
	switch {
	case secret && containsFold(key, "aws"):
		return awsSecretKey
	case containsFold(key, "password"), containsFold(key, "passwd"),
		hasSuffixFold(key, "pass"), hasSuffixFold(key, "passphrase"), len(key) > 3 && hasSuffixFold(key, "pwd"):
		return passwordKey
	case secret, hasSuffixFold(key, "token"), hasSuffixFold(key, "key"), hasSuffixFold(key, "credential"),
		hasSuffixFold(key, "credentials"), hasSuffixFold(key, "creds"), hasSuffixFold(key, "auth"):
		return tokenKey
	}
	return notSecretKey
}

// secretValue tells a secret from prose and placeholders: a password is at least six
// characters and not one lower-case word; a token is at least ten characters with
// letters and digits and the entropy of random text.
func secretValue(v string, kind keyKind) bool {
	if len(v) < 6 || len(v) > 200 {
		return false
	}
	switch v[0] {
	case '$', '<', '{', '%', '*', '[':
		return false
	}
	if kind == passwordKey {
		return !allLower(v)
	}
	if len(v) < 10 {
		return false
	}
	e := Entropy(v)
	return hasDigit(v) && (hasUpper(v) || hasLower(v)) && e >= 3.0 ||
		len(v) >= 16 && hasUpper(v) && hasLower(v) && e >= 3.5
}

func allLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLower(s[i]) {
			return false
		}
	}
	return true
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if isUpper(s[i]) {
			return true
		}
	}
	return false
}

func hasLower(s string) bool {
	for i := 0; i < len(s); i++ {
		if isLower(s[i]) {
			return true
		}
	}
	return false
}

// awsSecrets finds 40-character base64 secret access keys in a text that holds an AWS
// access key ID.
func (sc *scan) awsSecrets() {
	text := sc.text
	isB64 := func(c byte) bool { return isAlnum(c) || c == '/' || c == '+' }
	for i := 0; i < len(text); {
		if !isB64(text[i]) {
			i++
			continue
		}
		s := i
		for i < len(text) && isB64(text[i]) {
			i++
		}
		if i-s == 40 && (i == len(text) || text[i] != '=') {
			v := text[s:i]
			if hasUpper(v) && hasLower(v) && hasDigit(v) && Entropy(v) >= 4.2 {
				sc.add(AWSSecretKey, s, i)
			}
		}
	}
}

// email matches local@domain around the '@' at i, with a domain that ends in a real TLD.
func (sc *scan) email(at int) int {
	text := sc.text
	ls := at
	for ls > 0 && class[text[ls-1]]&clsLocal != 0 && at-ls < 64 {
		ls--
	}
	for ls < at && (text[ls] == '.' || text[ls] == '-' || text[ls] == '+') {
		ls++
	}
	if ls == at {
		return -1
	}
	if ls > 0 && (text[ls-1] == ':' || text[ls-1] == '/') && !hasSuffixFold(text[:ls], "mailto:") {
		return -1 // user:password@host and path@segments are not addresses
	}
	n := len(text)
	j := at + 1
	best := -1
	labels := 0
	for j < n && labels < 12 {
		s := j
		for j < n && (isAlnum(text[j]) || text[j] == '-') && j-s < 63 {
			j++
		}
		if j == s || text[s] == '-' || text[j-1] == '-' {
			break
		}
		labels++
		if labels >= 2 && knownTLD(text[s:j]) && (j == n || !isWord(text[j])) {
			best = j
		}
		if j+1 < n && text[j] == '.' && isAlnum(text[j+1]) {
			j++
			continue
		}
		break
	}
	if best < 0 {
		return -1
	}
	sc.add(Email, ls, best)
	return best
}

// colon handles the two detectors that start at a ':': credentials in URLs and IPv6
// addresses.
func (sc *scan) colon(i int) int {
	text := sc.text
	n := len(text)
	if i+2 < n && text[i+1] == '/' && text[i+2] == '/' {
		return sc.urlCredentials(i)
	}
	if !(i > 0 && class[text[i-1]]&clsHex != 0 || i+1 < n && (text[i+1] == ':' || class[text[i+1]]&clsHex != 0)) {
		return -1
	}
	s := i
	for s > 0 && (class[text[s-1]]&clsHex != 0 || text[s-1] == ':') && i-s < 40 {
		s--
	}
	if s > 0 && (isWord(text[s-1]) || text[s-1] == '.') {
		return -1
	}
	e := i
	colons := 0
	for e < n && (class[text[e]]&clsHex != 0 || text[e] == ':' || text[e] == '.') && e-s < 46 {
		if text[e] == ':' {
			colons++
		}
		e++
	}
	for e > i && text[e-1] == '.' {
		e--
	}
	for s < i && text[s] == ':' && !(s+1 < n && text[s+1] == ':') {
		s++
	}
	for e > i+1 && text[e-1] == ':' && text[e-2] != ':' {
		e--
	}
	if colons < 2 || e < n && isWord(text[e]) {
		return -1
	}
	cand := text[s:e]
	if !strings.Contains(cand, "::") && colons < 3 || !hasHexRun(cand, 3) {
		return -1 // a::b, std::map-like tokens
	}
	addr, err := netip.ParseAddr(cand)
	if err != nil || !addr.Is6() || addr.IsUnspecified() || addr.IsLoopback() {
		return -1
	}
	sc.add(IPAddress, s, e)
	return e
}

// hasHexRun reports whether s has n hex digits in a row.
func hasHexRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if class[s[i]]&clsHex != 0 {
			run++
			if run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// dbSchemes are URL schemes whose credentials make a database connection string.
var dbSchemes = []string{"postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongodb+srv", "redis", "rediss",
	"amqp", "amqps", "sqlserver", "mssql", "oracle", "clickhouse", "cockroachdb", "jdbc:postgresql", "jdbc:mysql",
	"jdbc:sqlserver", "nats", "kafka", "memcached", "couchbase", "neo4j", "cassandra", "elasticsearch"}

// urlCredentials matches user:password in scheme://user:password@host.
func (sc *scan) urlCredentials(colon int) int {
	text := sc.text
	s := colon
	for s > 0 && (isAlnum(text[s-1]) || text[s-1] == '+' || text[s-1] == '.' || text[s-1] == '-' || text[s-1] == ':') && colon-s < 32 {
		s--
	}
	if s == colon {
		return -1
	}
	scheme := text[s:colon]
	us := colon + 3
	j := us
	pw := -1
	for j < len(text) && j-us < 512 {
		c := text[j]
		if c == '@' || c == '/' || c == '?' || c == '#' || c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' {
			break
		}
		if c == ':' && pw < 0 {
			pw = j + 1
		}
		j++
	}
	if j >= len(text) || text[j] != '@' || pw < 0 || pw == j {
		return -1
	}
	switch text[pw] {
	case '$', '<', '*', '{', '%':
		if j-pw < 3 || text[pw] != '%' {
			return -1
		}
	}
	e := URLCredentials
	for _, d := range dbSchemes {
		if len(scheme) == len(d) && hasPrefixFold(scheme, d) || strings.HasPrefix(strings.ToLower(scheme), "jdbc:") {
			e = ConnectionString
			break
		}
	}
	sc.add(e, us, j)
	return j + 1
}
