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

// The flattened-list helpers below append to per-span arenas (state.fieldArena,
// indexedArena, itemArena) and return views into them, capped so that later appends
// never write into a returned view: a message list costs no allocation once the pooled
// state has grown to fit, where it used to cost three or four per list and nesting
// level. A view stays valid when its arena is reallocated (it keeps the old array).

// collect returns the attributes below prefix ("llm.input_messages."), with the
// prefix cut off.
func (s *state) collect(prefix string) []field {
	start := len(s.fieldArena)
	for k, v := range s.attrs.All() {
		if strings.HasPrefix(k, prefix) {
			s.fieldArena = append(s.fieldArena, field{k[len(prefix):], v})
		}
	}
	return s.fieldArena[start:len(s.fieldArena):len(s.fieldArena)]
}

// sub returns the fields below prefix within fs.
func (s *state) sub(fs []field, prefix string) []field {
	start := len(s.fieldArena)
	for _, f := range fs {
		if strings.HasPrefix(f.key, prefix) {
			s.fieldArena = append(s.fieldArena, field{f.key[len(prefix):], f.val})
		}
	}
	return s.fieldArena[start:len(s.fieldArena):len(s.fieldArena)]
}

// indexedField is a field of a flattened list with its index parsed.
type indexedField struct {
	idx int
	f   field
}

// items groups "N.rest" fields by N, ordered numerically (10 after 2). Fields without a
// numeric index are other attributes (gen_ai.prompt.name is not OpenLLMetry's
// gen_ai.prompt.N); an index out of range is returned as bad so the caller can count it.
func (s *state) items(fs []field) (out []item, bad int) {
	tmpStart := len(s.indexedArena)
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
		s.indexedArena = append(s.indexedArena, indexedField{n, field{rest, f.val}})
	}
	tmp := s.indexedArena[tmpStart:]
	if len(tmp) == 0 {
		return nil, bad
	}
	slices.SortStableFunc(tmp, func(a, b indexedField) int { return a.idx - b.idx })
	flatStart := len(s.fieldArena)
	for _, t := range tmp {
		s.fieldArena = append(s.fieldArena, t.f)
	}
	flat := s.fieldArena[flatStart:]
	outStart := len(s.itemArena)
	start := 0
	for i := 1; i <= len(tmp); i++ {
		if i == len(tmp) || tmp[i].idx != tmp[start].idx {
			s.itemArena = append(s.itemArena, item{idx: tmp[start].idx, fields: flat[start:i:i]})
			start = i
		}
	}
	clear(tmp) // scratch: give it back, without pinning the span's values
	s.indexedArena = s.indexedArena[:tmpStart]
	return s.itemArena[outStart:len(s.itemArena):len(s.itemArena)], bad
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
	out, bad := s.items(fs)
	s.errors += bad
	return out
}
