package normalize

import (
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// maxIndex bounds the indexes of flattened lists, so a hostile key cannot make us
// allocate for a huge list.
const maxIndex = 100_000

// field is one flattened attribute below a list prefix: key is the rest of the name.
type field struct {
	key string
	val pcommon.Value
}

// item is one element of a flattened list: all fields with the same index.
type item struct {
	idx    int
	fields []field
}

// collect returns the attributes below prefix ("llm.input_messages."), with the
// prefix cut off.
func collect(attrs pcommon.Map, prefix string) []field {
	var fs []field
	for k, v := range attrs.All() {
		if fs == nil && strings.HasPrefix(k, prefix) {
			fs = make([]field, 0, attrs.Len())
		}
		if strings.HasPrefix(k, prefix) {
			fs = append(fs, field{k[len(prefix):], v})
		}
	}
	return fs
}

// sub returns the fields below prefix within fs.
func sub(fs []field, prefix string) []field {
	var out []field
	for _, f := range fs {
		if strings.HasPrefix(f.key, prefix) {
			out = append(out, field{f.key[len(prefix):], f.val})
		}
	}
	return out
}

// items groups "N.rest" fields by N, ordered numerically (10 after 2). Fields without a
// numeric index are other attributes (gen_ai.prompt.name is not OpenLLMetry's
// gen_ai.prompt.N); an index out of range is returned as bad so the caller can count it.
// The items share one backing array: a list costs three allocations, not one per field.
func items(fs []field) (out []item, bad int) {
	type indexed struct {
		idx int
		f   field
	}
	tmp := make([]indexed, 0, len(fs))
	for _, f := range fs {
		head, rest, ok := strings.Cut(f.key, ".")
		if !ok || head == "" || head[0] < '0' || head[0] > '9' {
			continue
		}
		n, err := strconv.Atoi(head)
		if err != nil || n < 0 || n > maxIndex {
			bad++
			continue
		}
		tmp = append(tmp, indexed{n, field{rest, f.val}})
	}
	if len(tmp) == 0 {
		return nil, bad
	}
	slices.SortStableFunc(tmp, func(a, b indexed) int { return a.idx - b.idx })
	flat := make([]field, len(tmp))
	for i, t := range tmp {
		flat[i] = t.f
	}
	start := 0
	for i := 1; i <= len(tmp); i++ {
		if i == len(tmp) || tmp[i].idx != tmp[start].idx {
			out = append(out, item{idx: tmp[start].idx, fields: flat[start:i:i]})
			start = i
		}
	}
	return out, bad
}

func (it item) get(key string) (pcommon.Value, bool) {
	for _, f := range it.fields {
		if f.key == key {
			return f.val, true
		}
	}
	return pcommon.Value{}, false
}

// str reads a string field of an item, counting a non-string as an error.
func (s *state) itemStr(it item, key string) string {
	v, ok := it.get(key)
	if !ok {
		return ""
	}
	str, _ := s.valStr(v)
	return str
}

// itemsOf is items with bad indexes counted.
func (s *state) itemsOf(fs []field) []item {
	out, bad := items(fs)
	s.errors += bad
	return out
}
