// Package labels is the label-set vocabulary shared by every alerting stage: series
// identity, expression results, alert identity, routing and silences all speak it.
package labels

import (
	"hash/maphash"
	"sort"
	"strconv"
	"strings"
)

// AlertName is the label that names the rule an alert comes from (Alertmanager's key label).
const AlertName = "alertname"

// Label is one name/value pair.
type Label struct {
	Name, Value string
}

// Labels is a label set sorted by name, without duplicates and without empty values
// (Alertmanager removes empty-valued labels, so an empty value and a missing label are one).
type Labels []Label

// FromMap builds a sorted label set; empty values are dropped.
func FromMap(m map[string]string) Labels {
	ls := make(Labels, 0, len(m))
	for k, v := range m {
		if v != "" {
			ls = append(ls, Label{k, v})
		}
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].Name < ls[j].Name })
	return ls
}

// Get returns the value of name, "" when absent.
func (ls Labels) Get(name string) string {
	i := sort.Search(len(ls), func(i int) bool { return ls[i].Name >= name })
	if i < len(ls) && ls[i].Name == name {
		return ls[i].Value
	}
	return ""
}

// Has reports whether name is present.
func (ls Labels) Has(name string) bool { return ls.Get(name) != "" }

// Map returns a copy as a map (the JSON shape of every payload).
func (ls Labels) Map() map[string]string {
	m := make(map[string]string, len(ls))
	for _, l := range ls {
		m[l.Name] = l.Value
	}
	return m
}

// Fingerprint is FNV-1a 64 over sorted name, 0xff, value, 0xff: the same identity
// Alertmanager computes, so our alert IDs equal the fingerprints it shows.
func (ls Labels) Fingerprint() uint64 {
	const (
		offset64 = 14695981039346656037
		prime64  = 1099511628211
	)
	h := uint64(offset64)
	for _, l := range ls {
		for i := 0; i < len(l.Name); i++ {
			h ^= uint64(l.Name[i])
			h *= prime64
		}
		h ^= 0xff
		h *= prime64
		for i := 0; i < len(l.Value); i++ {
			h ^= uint64(l.Value[i])
			h *= prime64
		}
		h ^= 0xff
		h *= prime64
	}
	return h
}

// GroupHash identifies ls.Keep(names) (or ls.Drop(names) when without) within this
// process, without building the subset: aggregation hashes every input series with it.
func (ls Labels) GroupHash(names []string, without bool) uint64 {
	var h maphash.Hash
	h.SetSeed(groupSeed)
	for _, l := range ls {
		if contains(names, l.Name) == without {
			continue
		}
		h.WriteString(l.Name)
		h.WriteByte(0xff)
		h.WriteString(l.Value)
		h.WriteByte(0xff)
	}
	return h.Sum64()
}

var groupSeed = maphash.MakeSeed()

func contains(names []string, n string) bool {
	for _, x := range names {
		if x == n {
			return true
		}
	}
	return false
}

// ID is the fingerprint as 16 hex digits, as Alertmanager renders it.
func (ls Labels) ID() string {
	s := strconv.FormatUint(ls.Fingerprint(), 16)
	return strings.Repeat("0", 16-len(s)) + s
}

// Builder edits a label set; Labels returns the sorted result.
type Builder struct {
	m map[string]string
}

// NewBuilder starts from base.
func NewBuilder(base Labels) *Builder {
	b := &Builder{m: make(map[string]string, len(base)+4)}
	for _, l := range base {
		b.m[l.Name] = l.Value
	}
	return b
}

// Set overrides name; an empty value deletes it.
func (b *Builder) Set(name, value string) *Builder {
	if value == "" {
		delete(b.m, name)
	} else {
		b.m[name] = value
	}
	return b
}

// Del removes names.
func (b *Builder) Del(names ...string) *Builder {
	for _, n := range names {
		delete(b.m, n)
	}
	return b
}

// Labels returns the result.
func (b *Builder) Labels() Labels { return FromMap(b.m) }

// Keep returns the subset of ls whose names are in names (group_by / `by`).
func (ls Labels) Keep(names []string) Labels {
	out := make(Labels, 0, len(names))
	for _, l := range ls {
		for _, n := range names {
			if l.Name == n {
				out = append(out, l)
				break
			}
		}
	}
	return out
}

// Drop returns ls without names (`without`).
func (ls Labels) Drop(names []string) Labels {
	out := make(Labels, 0, len(ls))
outer:
	for _, l := range ls {
		for _, n := range names {
			if l.Name == n {
				continue outer
			}
		}
		out = append(out, l)
	}
	return out
}

// Equal reports whether both sets are identical.
func (ls Labels) Equal(o Labels) bool {
	if len(ls) != len(o) {
		return false
	}
	for i := range ls {
		if ls[i] != o[i] {
			return false
		}
	}
	return true
}

// String renders {a="b", c="d"}.
func (ls Labels) String() string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, l := range ls {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(l.Name)
		sb.WriteByte('=')
		sb.WriteString(strconv.Quote(l.Value))
	}
	sb.WriteByte('}')
	return sb.String()
}
