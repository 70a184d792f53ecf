package redact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otelcol-llm/otelcol-llm/internal/pii"
)

// minBuiltInLen is the length of the shortest value a built-in detector finds (a@b.co).
const minBuiltInLen = 6

// Placeholders that are not typed by an entity.
const (
	// placeholderUnprocessed replaces a value that could not be scanned (fail_closed).
	placeholderUnprocessed = "<UNPROCESSED>"
	// placeholderDropped replaces a log body that a drop action would remove: a record
	// keeps its body field.
	placeholderDropped = "<DROPPED>"
)

// Redactor applies a Config to telemetry and to text. It is safe for concurrent use.
type Redactor struct {
	scanner       *pii.Scanner
	defaultAction Action
	actions       map[pii.Entity]Action
	keyActions    map[string]keyAction
	allowedKeys   map[string]struct{}
	allowedExact  map[string]struct{}
	allowedSuffix []string
	secretKeys    []string
	content       contentPolicies
	hashKey       []byte
	failClosed    bool
	limits        Limits
	custom        bool                  // custom detectors may match values of any length
	placeholders  map[pii.Entity]string // "<EMAIL>" for every entity type the engine reports
	cache         *scanCache            // what the detectors found in texts seen before; nil when off
	gate          cacheGate             // skips the scan cache while it does not pay
}

type keyAction struct {
	action Action
	label  pii.Entity // placeholder type: the key in upper snake case
}

type contentPolicies struct {
	def        policy
	services   map[string]policy
	operations map[string]policy
}

// New validates cfg and builds a Redactor.
func New(cfg Config) (*Redactor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &Redactor{
		defaultAction: cfg.DefaultAction,
		actions:       map[pii.Entity]Action{},
		keyActions:    map[string]keyAction{},
		allowedKeys:   map[string]struct{}{},
		allowedExact:  map[string]struct{}{},
		hashKey:       []byte(cfg.HashKey),
		failClosed:    cfg.FailClosed,
		limits:        cfg.Limits,
	}
	if r.defaultAction == "" {
		r.defaultAction = ActionRedact
	}
	def := DefaultConfig().Limits
	if r.limits.MaxValueBytes == 0 {
		r.limits.MaxValueBytes = def.MaxValueBytes
	}
	if r.limits.MaxJSONDepth == 0 {
		r.limits.MaxJSONDepth = def.MaxJSONDepth
	}
	if r.limits.TimeBudget == 0 {
		r.limits.TimeBudget = def.TimeBudget
	}
	for e, a := range cfg.Actions {
		r.actions[pii.Entity(e)] = a
	}
	for k, a := range cfg.KeyActions {
		r.keyActions[k] = keyAction{action: a, label: keyLabel(k)}
	}
	for _, k := range cfg.AllowedKeys {
		r.allowedKeys[k] = struct{}{}
	}
	for _, v := range cfg.AllowedValues {
		if rest, ok := strings.CutPrefix(v, "*"); ok {
			r.allowedSuffix = append(r.allowedSuffix, strings.ToLower(rest))
		} else {
			r.allowedExact[strings.ToLower(v)] = struct{}{}
		}
	}
	for _, k := range cfg.SecretKeys {
		r.secretKeys = append(r.secretKeys, strings.ToLower(strings.TrimSpace(k)))
	}
	r.content.def, _ = parsePolicy(cfg.Content.Default)
	r.content.services = parsePolicies(cfg.Content.Services)
	r.content.operations = parsePolicies(cfg.Content.Operations)

	var off []pii.Entity
	for e, on := range cfg.Detectors {
		if !on {
			off = append(off, pii.Entity(e))
		}
	}
	custom := make([]pii.Custom, 0, len(cfg.CustomDetectors))
	for _, d := range cfg.CustomDetectors {
		re, _ := compileCustomRegex(d.Regex) // validated above
		custom = append(custom, pii.Custom{
			Entity:   pii.Entity(d.Name),
			Regex:    re,
			Keywords: append([]string(nil), d.Keywords...),
			Validate: customValidator(d),
		})
	}
	r.scanner = pii.NewScanner(off, custom)
	entities := slices.Clone(pii.BuiltIn)
	for _, c := range custom {
		entities = append(entities, c.Entity)
	}
	r.cache = newScanCache(cfg.ScanCacheEntries, entities)
	r.custom = len(custom) > 0
	r.placeholders = map[pii.Entity]string{pii.Secret: placeholder(pii.Secret)}
	for _, e := range pii.BuiltIn {
		r.placeholders[e] = placeholder(e)
	}
	for _, c := range custom {
		r.placeholders[c.Entity] = placeholder(c.Entity)
	}
	for _, ka := range r.keyActions {
		r.placeholders[ka.label] = placeholder(ka.label)
	}
	return r, nil
}

func parsePolicies(m map[string]string) map[string]policy {
	out := make(map[string]policy, len(m))
	for k, v := range m {
		out[k], _ = parsePolicy(v)
	}
	return out
}

func customValidator(d CustomDetector) func(string) bool {
	var check func(string) bool
	switch d.Validator {
	case "luhn":
		check = func(s string) bool { return pii.Luhn(alnumOnly(s)) }
	case "mod97":
		check = func(s string) bool { return pii.Mod97(alnumOnly(s)) }
	}
	if d.MinEntropy == 0 {
		return check
	}
	minEntropy := d.MinEntropy
	return func(s string) bool {
		return (check == nil || check(s)) && pii.Entropy(s) >= minEntropy
	}
}

func alnumOnly(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// keyLabel turns an attribute key into a placeholder type: user.id -> USER_ID.
func keyLabel(k string) pii.Entity {
	b := []byte(strings.ToUpper(k))
	for i, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	return pii.Entity(b)
}

func (r *Redactor) action(e pii.Entity) Action {
	if a, ok := r.actions[e]; ok {
		return a
	}
	if e == pii.Secret {
		return ActionRedact // secret keys are redacted unless actions.SECRET says otherwise
	}
	return r.defaultAction
}

func (r *Redactor) allowed(v string) bool {
	if len(r.allowedExact) == 0 && len(r.allowedSuffix) == 0 {
		return false
	}
	l := strings.ToLower(v)
	if _, ok := r.allowedExact[l]; ok {
		return true
	}
	for _, s := range r.allowedSuffix {
		if strings.HasSuffix(l, s) {
			return true
		}
	}
	return false
}

// replacement is what an action leaves in place of value v of type e.
func (r *Redactor) replacement(a Action, e pii.Entity, v string) string {
	switch a {
	case ActionMask:
		return mask(e, v)
	case ActionHash:
		return "<" + string(e) + ":" + r.pseudonym(e, v) + ">"
	}
	if p, ok := r.placeholders[e]; ok {
		return p
	}
	return placeholder(e)
}

// placeholder is the typed placeholder of the redact action.
func placeholder(e pii.Entity) string { return "<" + string(e) + ">" }

// pseudonym is a keyed HMAC-SHA256 of the entity type and the canonical value: stable
// for one hash_key, useless without it (unlike a plain hash of an IPv4 address or a card
// number, which a table reverses).
func (r *Redactor) pseudonym(e pii.Entity, v string) string {
	m := hmac.New(sha256.New, r.hashKey)
	m.Write([]byte(e))
	m.Write([]byte{0})
	m.Write([]byte(canonical(e, v)))
	sum := m.Sum(nil)
	return hex.EncodeToString(sum[:5])
}

// canonical makes equal values written differently hash alike: cards, phones, IBANs
// and SSNs without separators, emails in lower case.
func canonical(e pii.Entity, v string) string {
	switch e {
	case pii.CreditCard, pii.Phone, pii.IBAN, pii.USSSN:
		s := alnumOnly(v)
		if e == pii.Phone && strings.HasPrefix(strings.TrimSpace(v), "+") {
			s = "+" + s
		}
		return strings.ToUpper(s)
	case pii.Email:
		return strings.ToLower(v)
	}
	return v
}

// mask keeps the first character and the domain of an email, and the last four letters
// or digits of anything else (the last 4 of a card); separators stay.
func mask(e pii.Entity, v string) string {
	b := []byte(v)
	if e == pii.Email {
		if at := strings.LastIndexByte(v, '@'); at > 0 {
			for i := 1; i < at; i++ {
				b[i] = '*'
			}
			return string(b)
		}
	}
	alnum := 0
	for _, c := range b {
		if isAlnumByte(c) {
			alnum++
		}
	}
	keep := 4
	if alnum < 8 {
		keep = 0
	}
	seen := 0
	for i, c := range b {
		if c >= 0x80 {
			b[i] = '*'
			continue
		}
		if isAlnumByte(c) {
			seen++
			if seen <= alnum-keep {
				b[i] = '*'
			}
		}
	}
	return strings.ToValidUTF8(string(b), "*")
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

// counts collects findings for one span or log record and for the batch.
type counts struct {
	stats *Stats
	local []entityCount // of the current span or record: a few types, in the order found
	buf   []byte        // the summary attribute being written
}

type entityCount struct {
	entity pii.Entity
	n      int
}

// reset starts the counts of the next span or log record.
func (c *counts) reset() { c.local = c.local[:0] }

func (c *counts) add(e pii.Entity) {
	if c.stats.Findings == nil {
		c.stats.Findings = map[pii.Entity]int{}
	}
	c.stats.Findings[e]++
	for i := range c.local {
		if c.local[i].entity == e {
			c.local[i].n++
			return
		}
	}
	c.local = append(c.local, entityCount{e, 1})
}

// result of processing one value.
type result int

const (
	unchanged result = iota
	changed
	dropAttr
)

// Found is one finding reported by Text: a value of type Entity at Start:End of the
// string at Path. Path is "" for plain text, or the JSON path of the string leaf
// (decoded) such as $[1].parts[0].content; JSON inside a string continues the path
// after a "#" ($.arguments#.email).
type Found struct {
	Entity pii.Entity `json:"type"`
	Path   string     `json:"path,omitempty"`
	Start  int        `json:"start"`
	End    int        `json:"end"`
}

// Text redacts one value with the engine's detectors, allow-lists and actions, walking
// it as JSON when it is JSON. It reports the findings (never the values) and whether
// the attribute holding the value would be dropped. It is what `llmctl redact` runs.
func (r *Redactor) Text(s string) (out string, found []Found, drop bool, st Stats) {
	out, drop, st = r.text(s, func(f pii.Finding, path, _ string) {
		found = append(found, Found{Entity: f.Entity, Path: path, Start: f.Start, End: f.End})
	})
	return out, found, drop, st
}

// text is Text with a callback that also sees the string each finding is in.
func (r *Redactor) text(s string, record func(f pii.Finding, path, leaf string)) (string, bool, Stats) {
	var st Stats
	c := counts{stats: &st}
	v := valueCtx{r: r, c: &c, pol: policyFull, record: record}
	out, res := v.text(s)
	return out, res == dropAttr, st
}

// valueCtx carries what processing one value needs.
type valueCtx struct {
	r        *Redactor
	c        *counts
	pol      policy
	deadline time.Time
	record   func(f pii.Finding, path, leaf string) // when set, sees every finding (llmctl)
	path     string                                 // JSON path of the leaf being scanned, with record
	findings []pii.Finding                          // reused by every scan of the call
	edited   []edit                                 // reused by every value of the call
	scratch  []byte                                 // decoded JSON strings, as a stack
}

// text processes a string value; v.pol is full except for GenAI content attributes.
func (v *valueCtx) text(s string) (string, result) {
	r := v.r
	st := v.c.stats
	st.ValuesScanned++
	st.BytesScanned += int64(len(s))
	if len(s) > r.limits.MaxValueBytes || !utf8.ValidString(s) {
		return v.unprocessable(s)
	}
	if len(s) >= 4096 {
		v.deadline = time.Now().Add(r.limits.TimeBudget)
	}
	if looksLikeJSON(s) {
		w := jsonWalker{v: v, src: s, maxDepth: r.limits.MaxJSONDepth}
		out, res, ok := w.walk()
		switch {
		case ok:
			return v.finish(s, out, res)
		case w.tooDeep || w.overTime:
			return v.unprocessable(s)
		}
		st.MalformedJSON++
	}
	if v.pol == policyNone {
		return v.finish(s, applyPolicy(s, v.pol), changed)
	}
	out, res := v.plain(s)
	if v.pol != policyFull && res != dropAttr {
		out, res = applyPolicy(out, v.pol), changed
	}
	return v.finish(s, out, res)
}

func (v *valueCtx) finish(in, out string, res result) (string, result) {
	if !v.deadline.IsZero() && time.Now().After(v.deadline) {
		v.c.stats.OverBudget++
		return v.unprocessable(in)
	}
	if res == changed && out == in {
		res = unchanged
	}
	if res == changed {
		v.c.stats.ValuesChanged++
	}
	return out, res
}

// unprocessable handles a value that cannot be scanned: replaced when failing closed
// (by a JSON string when the value was JSON, so it stays JSON), passed on and counted
// otherwise.
func (v *valueCtx) unprocessable(s string) (string, result) {
	if v.r.failClosed {
		v.c.stats.FailedClosed++
		if json.Valid([]byte(s)) {
			return `"` + placeholderUnprocessed + `"`, changed
		}
		return placeholderUnprocessed, changed
	}
	v.c.stats.Unprocessed++
	return s, unchanged
}

// plain scans text that is not JSON and applies the actions to what it finds.
func (v *valueCtx) plain(s string) (string, result) {
	edits, res := v.edits(s)
	if res == unchanged {
		return s, unchanged
	}
	n := len(s)
	for _, e := range edits {
		n += len(e.repl) - (e.end - e.start)
	}
	var b strings.Builder
	b.Grow(n)
	last := 0
	for _, e := range edits {
		b.WriteString(s[last:e.start])
		b.WriteString(e.repl)
		last = e.end
	}
	b.WriteString(s[last:])
	return b.String(), res
}

// scan returns the findings in s, sorted and without overlaps, from the scan cache when
// s was scanned before, in a slice reused by the next call.
func (v *valueCtx) scan(s string) []pii.Finding {
	r := v.r
	if r.cache == nil || len(s) < minCachedLen || !r.gate.use() {
		v.findings = r.scanner.Scan(s, v.findings[:0])
		return v.findings
	}
	fp := r.cache.fingerprint(s)
	fs, hit := r.cache.lookup(fp, v.findings[:0])
	r.gate.record(hit)
	if hit {
		v.c.stats.ScanCacheHits++
	} else {
		v.c.stats.ScanCacheMisses++
		fs = r.scanner.Scan(s, fs)
		r.cache.add(fp, fs)
	}
	v.findings = fs
	return fs
}

// edit replaces text[start:end] by repl.
type edit struct {
	start, end int
	repl       string
}

// edits finds the sensitive values in s (by the detectors or the scan cache), counts
// and records them, and returns what the actions replace, in order, in a slice reused
// by the next call: nothing when the result is unchanged. Writing the replacements is
// left to the caller, so that a JSON leaf is encoded straight into the document.
func (v *valueCtx) edits(s string) ([]edit, result) {
	r := v.r
	if len(s) < minBuiltInLen && !r.custom {
		return nil, unchanged // "user", "text", "stop": shorter than any built-in finding
	}
	fs := v.scan(s)
	if len(fs) == 0 {
		return nil, unchanged
	}
	edits := v.edited[:0]
	res := unchanged
	for _, f := range fs {
		val := s[f.Start:f.End]
		if r.allowed(val) {
			continue
		}
		v.c.add(f.Entity)
		if v.record != nil {
			v.record(f, v.path, s)
		}
		a := r.action(f.Entity)
		switch a {
		case ActionKeep:
			continue
		case ActionDrop:
			res = dropAttr
		}
		edits = append(edits, edit{f.Start, f.End, r.replacement(a, f.Entity, val)})
		if res != dropAttr {
			res = changed
		}
	}
	v.edited = edits
	if res == unchanged {
		return nil, unchanged
	}
	return edits, res
}

// whole applies an action to a complete value (secret keys, key_actions).
func (v *valueCtx) whole(s string, e pii.Entity, a Action) (string, result) {
	v.c.add(e)
	switch a {
	case ActionKeep:
		return s, unchanged
	case ActionDrop:
		return "", dropAttr
	}
	v.c.stats.ValuesChanged++
	return v.r.replacement(a, e, s), changed
}

// applyPolicy applies a none or truncate policy to one piece of content text.
func applyPolicy(s string, p policy) string {
	n := utf8.RuneCountInString(s)
	if p.truncate == 0 {
		if n == 0 || isOmission(s) {
			// Already omitted by an earlier pass (a sidecar and a gateway both run the
			// processor): keep the original length rather than the placeholder's.
			return s
		}
		return fmt.Sprintf("<OMITTED:%d>", n)
	}
	if p.truncate < 0 || n <= p.truncate {
		return s
	}
	cut := 0
	for i := range s {
		if cut == p.truncate {
			return s[:i] + "…"
		}
		cut++
	}
	return s
}

// isOmission reports whether s is a placeholder written by the none policy.
func isOmission(s string) bool {
	digits, ok := strings.CutPrefix(s, "<OMITTED:")
	if !ok || len(digits) < 2 || digits[len(digits)-1] != '>' {
		return false
	}
	for _, c := range digits[:len(digits)-1] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// looksLikeJSON reports whether s starts like a JSON object, array or string.
func looksLikeJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			continue
		case '{', '[':
			return true
		case '"':
			t := strings.TrimRight(s, " \t\n\r")
			return len(t) > i+1 && t[len(t)-1] == '"'
		}
		return false
	}
	return false
}

func (r *Redactor) isSecretKey(k string) bool { return pii.IsSecretKey(k, r.secretKeys) }
