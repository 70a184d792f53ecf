package pii

import (
	"maps"
	"regexp"
	"sync"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// Phone numbers are validated with libphonenumber's metadata and rules, applied by
// phoneRules rather than by phonenumbers.IsValidNumberForRegion: the library matches
// up to twenty regular expressions per call (every number type twice, premium rate
// first, mobile last), building each pattern string anew and looking it up in a locked
// cache. A number is valid when it matches its region's general description and one
// number type; phoneRules checks the possible lengths first and the common types first,
// each pattern once, so the answer is the library's at a fraction of the cost.

// phoneRules are the compiled validation rules of one region.
type phoneRules struct {
	general numberDesc
	types   []numberDesc // fixed line and mobile first
	// leading digits that assign a number to this region of a shared country code
	leading    *regexp.Regexp
	leadingDFA *digitDFA
}

// numberDesc is one description of the metadata: the national significant number
// lengths it allows (a bit set) and its pattern, anchored, as a DFA of digits (nil for
// a pattern with too many states) and as a regexp.
type numberDesc struct {
	lengths uint64
	dfa     *digitDFA
	re      *regexp.Regexp
}

func (d *numberDesc) match(nsn string) bool {
	if d.lengths&(1<<len(nsn)) == 0 {
		return false
	}
	if d.dfa != nil {
		return d.dfa.match(nsn)
	}
	return d.re.MatchString(nsn)
}

// leads reports whether nsn starts with the region's leading digits.
func (r *phoneRules) leads(nsn string) bool {
	if r.leadingDFA != nil {
		return r.leadingDFA.matchPrefix(nsn)
	}
	return r.leading.MatchString(nsn)
}

// valid reports whether nsn, a national significant number, is valid in the region.
func (r *phoneRules) valid(nsn string) bool {
	if !r.general.match(nsn) {
		return false
	}
	for i := range r.types {
		if r.types[i].match(nsn) {
			return true
		}
	}
	return false
}

// nonGeoRegion is libphonenumber's region code for non-geographic entities (+800, +882...).
const nonGeoRegion = "001"

// phoneRulesCache holds the rules of the regions seen so far, compiled on first use:
// an immutable map replaced on each addition, so that lookups take no lock.
var (
	phoneRulesCache atomic.Pointer[map[uint32]*phoneRules]
	phoneRulesMu    sync.Mutex
)

// rulesFor returns the rules of a region for a country code, or nil when the region
// has no metadata or another country code.
func rulesFor(cc int32, region string) *phoneRules {
	if len(region) < 2 {
		return nil
	}
	key := uint32(cc)<<16 | uint32(region[0])<<8 | uint32(region[1]) // "001" is told apart by cc
	if m := phoneRulesCache.Load(); m != nil {
		if r, ok := (*m)[key]; ok {
			return r
		}
	}
	phoneRulesMu.Lock()
	defer phoneRulesMu.Unlock()
	old := phoneRulesCache.Load()
	if old != nil {
		if r, ok := (*old)[key]; ok {
			return r
		}
	}
	m := map[uint32]*phoneRules{}
	if old != nil {
		m = maps.Clone(*old)
	}
	r := compileRules(cc, region)
	m[key] = r
	phoneRulesCache.Store(&m)
	return r
}

func compileRules(cc int32, region string) *phoneRules {
	meta := regionMetadata(cc, region)
	if meta == nil || meta.GetCountryCode() != cc {
		return nil
	}
	r := &phoneRules{general: compileDesc(meta.GetGeneralDesc())}
	if r.general.re == nil {
		return nil
	}
	descs := []*phonenumbers.PhoneNumberDesc{meta.GetFixedLine()}
	if !meta.GetSameMobileAndFixedLinePattern() {
		descs = append(descs, meta.GetMobile())
	}
	descs = append(descs, meta.GetTollFree(), meta.GetPremiumRate(), meta.GetSharedCost(), meta.GetVoip(),
		meta.GetPersonalNumber(), meta.GetPager(), meta.GetUan(), meta.GetVoicemail())
	for _, d := range descs {
		if nd := compileDesc(d); nd.re != nil && nd.lengths != 0 {
			r.types = append(r.types, nd)
		}
	}
	if ld := meta.GetLeadingDigits(); ld != "" {
		r.leading = regexp.MustCompile("^(?:" + ld + ")")
		r.leadingDFA, _ = compileDigitDFA("^(?:" + ld + ")")
	}
	return r
}

// compileDesc compiles a description; a description without a pattern matches nothing.
func compileDesc(d *phonenumbers.PhoneNumberDesc) numberDesc {
	if d == nil || d.GetNationalNumberPattern() == "" {
		return numberDesc{}
	}
	pattern := "^(?:" + d.GetNationalNumberPattern() + ")$"
	nd := numberDesc{re: regexp.MustCompile(pattern)}
	nd.dfa, _ = compileDigitDFA(pattern)
	if ls := d.GetPossibleLength(); len(ls) > 0 {
		for _, l := range ls {
			if l > 0 && l < 64 {
				nd.lengths |= 1 << l
			}
		}
	} else {
		nd.lengths = ^uint64(0) // the lengths of the general description apply
	}
	return nd
}

var (
	metadataOnce sync.Once
	regionMeta   map[string]*phonenumbers.PhoneMetadata
	nonGeoMeta   map[int32]*phonenumbers.PhoneMetadata
)

// regionMetadata returns libphonenumber's metadata of a region (or of a non-geographic
// country code).
func regionMetadata(cc int32, region string) *phonenumbers.PhoneMetadata {
	metadataOnce.Do(func() {
		regionMeta = map[string]*phonenumbers.PhoneMetadata{}
		nonGeoMeta = map[int32]*phonenumbers.PhoneMetadata{}
		coll, err := phonenumbers.MetadataCollection()
		if err != nil {
			return
		}
		for _, m := range coll.GetMetadata() {
			if m.GetId() == nonGeoRegion {
				nonGeoMeta[m.GetCountryCode()] = m
			} else {
				regionMeta[m.GetId()] = m
			}
		}
	})
	if region == nonGeoRegion {
		return nonGeoMeta[cc]
	}
	return regionMeta[region]
}

// validNumber checks nsn, a national significant number, in region, or in the region
// of the country code that libphonenumber assigns the number to when region is empty.
func validNumber(nsn string, cc int32, region string) bool {
	if len(nsn) < 4 || len(nsn) > 14 {
		return false
	}
	if region != "" {
		r := rulesFor(cc, region)
		return r != nil && r.valid(nsn)
	}
	// As phonenumbers.GetRegionCodeForNumber: the first region whose leading digits
	// match, or, for regions without leading digits, in which the number is valid.
	for _, reg := range phonenumbers.GetRegionCodesForCountryCode(int(cc)) {
		r := rulesFor(cc, reg)
		if r == nil {
			continue
		}
		if r.leading != nil {
			if r.leads(nsn) {
				return r.valid(nsn)
			}
		} else if r.valid(nsn) {
			return true
		}
	}
	return false
}

// validInternational validates digits that follow a '+' (or 00): country calling code,
// then national number, checked against the country's main region first.
func validInternational(d string) bool {
	for l := 1; l <= 3 && l < len(d); l++ {
		cc := int32(0)
		for _, c := range d[:l] {
			cc = cc*10 + int32(c-'0')
		}
		regions := phonenumbers.GetRegionCodesForCountryCode(int(cc))
		if len(regions) == 0 {
			continue
		}
		if validNumber(d[l:], cc, regions[0]) {
			return true
		}
		if len(regions) > 1 {
			return validNumber(d[l:], cc, "")
		}
		return false
	}
	return false
}
