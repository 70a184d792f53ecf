package pricing

import "strings"

// canonical reduces a model name as it appears on spans to the form the catalog indexes:
// lower case, without the path of a provider or resource prefix ("openai/gpt-4o",
// "models/gemini-2.5-pro", "projects/p/locations/l/publishers/google/models/…",
// "accounts/fireworks/models/…", Bedrock ARNs), without a Vertex "@version", and for
// Bedrock ids without the cross-region prefix ("us.", "eu.", "apac.", "global.", …), the
// vendor prefix ("anthropic.", "meta.", …) and the version suffix ("-v1:0").
func canonical(model string) string {
	s := strings.ToLower(strings.TrimSpace(model))
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '@'); i > 0 {
		s = s[:i]
	}
	return stripBedrock(s)
}

// bedrockRegions are the geography prefixes of Bedrock cross-region inference profiles.
var bedrockRegions = []string{"global.", "us.", "eu.", "apac.", "jp.", "au.", "ca.", "us-gov."}

// bedrockVendors are the model-vendor prefixes of Bedrock model ids.
var bedrockVendors = []string{
	"anthropic.", "amazon.", "meta.", "mistral.", "cohere.", "ai21.", "deepseek.",
	"openai.", "qwen.", "writer.", "google.", "nvidia.", "moonshot.", "minimax.", "stability.",
}

func stripBedrock(s string) string {
	for _, r := range bedrockRegions {
		if strings.HasPrefix(s, r) {
			s = s[len(r):]
			break
		}
	}
	vendor := false
	for _, v := range bedrockVendors {
		if strings.HasPrefix(s, v) {
			s, vendor = s[len(v):], true
			break
		}
	}
	// "-v1:0", "-v2:0", ":0": the Bedrock model version, not part of the model's name.
	if i := strings.LastIndexByte(s, ':'); i > 0 && allDigits(s[i+1:]) {
		s, vendor = s[:i], true
	}
	if vendor {
		if i := strings.LastIndex(s, "-v"); i > 0 && allDigits(s[i+2:]) {
			s = s[:i]
		}
	}
	return s
}

// candidates appends to dst the names to look up for a canonical name, most specific first:
// the name itself, then without its snapshot date or version ("gpt-4o-2024-08-06" → "gpt-4o",
// "claude-sonnet-4-5-20250929" → "claude-sonnet-4-5", "gemini-1.5-pro-002" →
// "gemini-1.5-pro", "command-r-08-2024" → "command-r"), then without "-latest", "-preview" or
// "-exp". Claude names written with dots ("claude-sonnet-4.5") are tried with dashes.
func candidates(dst []string, name string) []string {
	add := func(s string) {
		if s == "" {
			return
		}
		for _, d := range dst {
			if d == s {
				return
			}
		}
		dst = append(dst, s)
	}
	add(name)
	if strings.HasPrefix(name, "claude") && strings.IndexByte(name, '.') >= 0 {
		name = strings.ReplaceAll(name, ".", "-")
		add(name)
	}
	for {
		s, ok := stripSnapshot(name)
		if !ok {
			s, ok = stripSuffixWord(name)
		}
		if !ok {
			return dst
		}
		name = s
		add(name)
	}
}

// stripSnapshot removes one trailing date or version: -YYYY-MM-DD, -YYYYMMDD, -MM-YYYY,
// -MM-DD, -MMDD or -YYMM, and -NNN.
func stripSnapshot(s string) (string, bool) {
	fields := [...][]int{{4, 2, 2}, {2, 4}, {8}, {2, 2}, {4}, {3}}
	for _, f := range fields {
		if rest, ok := cutDigitGroups(s, f); ok {
			return rest, true
		}
	}
	return s, false
}

// cutDigitGroups cuts a suffix of dash-separated all-digit groups of the given widths.
func cutDigitGroups(s string, widths []int) (string, bool) {
	end := len(s)
	for i := len(widths) - 1; i >= 0; i-- {
		w := widths[i]
		start := end - w
		if start < 1 || s[start-1] != '-' || !allDigits(s[start:end]) {
			return s, false
		}
		end = start - 1
	}
	if end == 0 {
		return s, false
	}
	return s[:end], true
}

func stripSuffixWord(s string) (string, bool) {
	for _, w := range [...]string{"-latest", "-preview", "-exp"} {
		if rest, ok := strings.CutSuffix(s, w); ok && rest != "" {
			return rest, true
		}
	}
	return s, false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Endpoint kinds. Bedrock and Vertex bill some models more on regional endpoints (a
// geography's cross-region profile such as "us.", or one region) than on the global one.
const (
	EndpointGlobal   = "global"
	EndpointRegional = "regional"
)

// endpointKind tells from a lower-case model name whether the call went to a global or a
// regional endpoint: a Bedrock "global." profile is global, another geography prefix or a
// bare Bedrock model id is regional; a Vertex resource path tells by its location. Other
// names say nothing ("").
func endpointKind(raw string) string {
	if _, rest, ok := strings.Cut(raw, "/locations/"); ok {
		loc, _, _ := strings.Cut(rest, "/")
		if loc == "global" {
			return EndpointGlobal
		}
		return EndpointRegional
	}
	if i := strings.LastIndexByte(raw, '/'); i >= 0 {
		raw = raw[i+1:]
	}
	if strings.HasPrefix(raw, "global.") {
		return EndpointGlobal
	}
	for _, r := range bedrockRegions {
		if strings.HasPrefix(raw, r) {
			return EndpointRegional
		}
	}
	for _, v := range bedrockVendors {
		if strings.HasPrefix(raw, v) {
			return EndpointRegional
		}
	}
	return ""
}
