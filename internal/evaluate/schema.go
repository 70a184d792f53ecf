package evaluate

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// JSON types as a bit set, for a schema's "type".
type jsonType uint8

const (
	typeNull jsonType = 1 << iota
	typeBoolean
	typeInteger
	typeNumber // any number; an integer is also a number
	typeString
	typeArray
	typeObject
)

var typeNames = []struct {
	name string
	t    jsonType
}{
	{"null", typeNull}, {"boolean", typeBoolean}, {"integer", typeInteger}, {"number", typeNumber},
	{"string", typeString}, {"array", typeArray}, {"object", typeObject},
}

func (t jsonType) String() string {
	if t&typeNumber != 0 {
		t &^= typeInteger // "number" says it
	}
	var names []string
	for _, n := range typeNames {
		if t&n.t != 0 {
			names = append(names, n.name)
		}
	}
	return strings.Join(names, " or ")
}

// schema is the subset of JSON Schema that tool_call_arguments checks: type (a name or a
// list of names), properties, required and items, nested to any depth. Everything else
// (enum, formats, bounds, $ref, anyOf, additionalProperties, …) is not checked, so a tool
// call is never failed on a rule that is only partly understood.
type schema struct {
	types    jsonType // 0: any type
	props    map[string]*schema
	required []string
	items    *schema
}

// compileSchema compiles a parameter schema decoded as JSON (maps, slices, strings). A
// part it cannot read checks nothing.
func compileSchema(v any, depth int) *schema {
	m, ok := v.(map[string]any)
	if !ok || depth > maxDepth {
		return &schema{}
	}
	s := &schema{}
	switch t := m["type"].(type) {
	case string:
		s.types = typeByName(t)
	case []any:
		for _, name := range t {
			n, _ := name.(string)
			nt := typeByName(n)
			if nt == 0 {
				s.types = 0 // a type we do not know: accept any
				break
			}
			s.types |= nt
		}
	}
	if req, ok := m["required"].([]any); ok {
		for _, r := range req {
			if name, ok := r.(string); ok {
				s.required = append(s.required, name)
			}
		}
	}
	if props, ok := m["properties"].(map[string]any); ok && len(props) > 0 {
		s.props = make(map[string]*schema, len(props))
		for k, p := range props {
			s.props[k] = compileSchema(p, depth+1)
		}
	}
	if items, ok := m["items"].(map[string]any); ok {
		s.items = compileSchema(items, depth+1)
	}
	return s
}

func typeByName(name string) jsonType {
	for _, n := range typeNames {
		if n.name == name {
			if n.t == typeNumber {
				return typeNumber | typeInteger
			}
			return n.t
		}
	}
	return 0
}

// toolSchemas are the compiled parameter schemas of one gen_ai.tool.definitions value, by
// tool name.
type toolSchemas map[string]*schema

// compileTools reads gen_ai.tool.definitions in the semconv shape ({type, name,
// parameters}), OpenAI's ({type, function: {name, parameters}}), Anthropic's
// (input_schema) and MCP's (inputSchema): instrumentations record definitions as the
// provider API spells them. It reports false when the value is not a JSON array.
func compileTools(definitions string) (toolSchemas, bool) {
	var defs []any
	if json.Unmarshal([]byte(definitions), &defs) != nil {
		return nil, false
	}
	tools := make(toolSchemas, len(defs))
	for _, d := range defs {
		def, _ := d.(map[string]any)
		if fn, ok := def["function"].(map[string]any); ok {
			def = fn
		}
		name, _ := def["name"].(string)
		if name == "" {
			continue
		}
		for _, key := range [...]string{"parameters", "input_schema", "inputSchema"} {
			if params, ok := def[key].(map[string]any); ok {
				tools[name] = compileSchema(params, 0)
				break
			}
		}
	}
	return tools, true
}

// schemaCache keeps compiled tool definitions by their JSON text: an application sends the
// same definitions with every call, and compiling them costs far more than evaluating.
// When full it starts over, which bounds its memory without bookkeeping.
type schemaCache struct {
	mu      sync.Mutex
	entries map[string]cachedTools
	bytes   int
}

type cachedTools struct {
	tools toolSchemas
	ok    bool
}

const (
	schemaCacheEntries = 256
	schemaCacheBytes   = 4 << 20
)

func (c *schemaCache) get(definitions string) (toolSchemas, bool) {
	c.mu.Lock()
	e, hit := c.entries[definitions]
	c.mu.Unlock()
	if hit {
		return e.tools, e.ok
	}
	tools, ok := compileTools(definitions)
	if len(definitions) > schemaCacheBytes/16 {
		return tools, ok // too large to keep
	}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= schemaCacheEntries || c.bytes+len(definitions) > schemaCacheBytes {
		c.entries, c.bytes = make(map[string]cachedTools), 0
	}
	c.entries[strings.Clone(definitions)] = cachedTools{tools, ok}
	c.bytes += len(definitions)
	c.mu.Unlock()
	return tools, ok
}

// mismatch is the first way a tool call's arguments disagree with the schema. Field names
// come from the schema, never from the arguments, so an explanation built from it quotes
// no model output.
type mismatch struct {
	path    string // dotted path of schema property names and array indexes
	missing bool   // a required field is absent; otherwise the type is wrong
	want    jsonType
	got     jsonType
}

func (m *mismatch) String() string {
	field := m.path
	if field == "" {
		field = "(arguments)"
	}
	if m.missing {
		return fmt.Sprintf("missing required field %q", field)
	}
	return fmt.Sprintf("field %q is %s, want %s", field, m.got, m.want)
}

// check reads one value from sc and checks it against s. It returns nil when the value
// conforms, and also when sc fails: the caller tells invalid JSON apart by sc.bad.
func check(sc *scanner, s *schema) *mismatch {
	got := valueType(sc)
	if sc.bad {
		return nil
	}
	if s.types != 0 && s.types&got == 0 {
		sc.value()
		return &mismatch{want: s.types, got: got}
	}
	switch {
	case got == typeObject && (s.props != nil || len(s.required) > 0):
		return checkObject(sc, s)
	case got == typeArray && s.items != nil:
		sc.open('[')
		var first *mismatch
		for n := 0; sc.more(']', &n); {
			if m := check(sc, s.items); m != nil && first == nil {
				m.path = joinPath(fmt.Sprintf("[%d]", n-1), m.path)
				first = m
			}
		}
		return first
	}
	sc.value()
	return nil
}

func checkObject(sc *scanner, s *schema) *mismatch {
	var seen uint64 // bit i: required[i] is present (the first 64 are tracked)
	var first *mismatch
	var buf []byte
	sc.open('{')
	for n := 0; sc.more('}', &n); {
		raw, escaped := sc.key()
		key := raw
		if escaped {
			buf = unescape(buf[:0], raw, true)
			key = string(buf)
		}
		for i, r := range s.required {
			if i < 64 && r == key {
				seen |= 1 << i
			}
		}
		prop, ok := s.props[key]
		if !ok {
			sc.value()
			continue
		}
		if m := check(sc, prop); m != nil && first == nil {
			m.path = joinPath(key, m.path)
			first = m
		}
	}
	if first != nil || sc.bad {
		return first
	}
	for i, r := range s.required {
		if i < 64 && seen&(1<<i) == 0 {
			return &mismatch{path: r, missing: true}
		}
	}
	return nil
}

func joinPath(head, tail string) string {
	switch {
	case tail == "":
		return head
	case tail[0] == '[':
		return head + tail
	}
	return head + "." + tail
}

// valueType returns the JSON type of the value at the scanner without consuming it.
func valueType(sc *scanner) jsonType {
	switch sc.peek() {
	case '"':
		return typeString
	case '{':
		return typeObject
	case '[':
		return typeArray
	case 't', 'f':
		return typeBoolean
	case 'n':
		return typeNull
	case 0:
		sc.fail()
		return 0
	}
	start := sc.i
	sc.number()
	if sc.bad {
		return 0
	}
	num := sc.s[start:sc.i]
	sc.i = start
	if isInteger(num) {
		return typeInteger | typeNumber
	}
	return typeNumber
}
