package pii

import (
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// libValid is the reference: libphonenumber's own validation of a national significant
// number in a region ("" for the region the library assigns it to).
func libValid(nsn string, cc int32, region string) bool {
	n, _ := strconv.ParseUint(nsn, 10, 64)
	p := &phonenumbers.PhoneNumber{CountryCode: &cc, NationalNumber: &n}
	z := 0
	for z < len(nsn) && nsn[z] == '0' {
		z++
	}
	if z > 0 {
		yes := true
		p.ItalianLeadingZero = &yes
		if z > 1 {
			zeros := int32(z)
			p.NumberOfLeadingZeros = &zeros
		}
	}
	if region == "" {
		return phonenumbers.IsValidNumber(p)
	}
	return phonenumbers.IsValidNumberForRegion(p, region)
}

// TestPhoneRulesAgreeWithLibphonenumber: the compiled rules give libphonenumber's
// answer for example numbers of every type of every region, for the same numbers with
// a digit changed, and for random digit strings, in the region and in the country code
// as a whole.
func TestPhoneRulesAgreeWithLibphonenumber(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	types := []phonenumbers.PhoneNumberType{
		phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER,
		phonenumbers.UAN, phonenumbers.VOICEMAIL,
	}
	checked, valid := 0, 0
	check := func(nsn string, cc int32, region string) {
		t.Helper()
		if len(nsn) < 4 || len(nsn) > 14 {
			return
		}
		checked++
		want := libValid(nsn, cc, region)
		if want {
			valid++
		}
		if got := validNumber(nsn, cc, region); got != want {
			t.Errorf("validNumber(%s, +%d, %q) = %v, libphonenumber says %v", nsn, cc, region, got, want)
		}
	}
	regions := make([]string, 0, 256)
	for region := range phonenumbers.GetSupportedRegions() {
		regions = append(regions, region)
	}
	for _, region := range regions {
		cc := int32(phonenumbers.GetCountryCodeForRegion(region))
		for _, typ := range types {
			ex := phonenumbers.GetExampleNumberForType(region, typ)
			if ex == nil {
				continue
			}
			nsn := phonenumbers.GetNationalSignificantNumber(ex)
			for _, reg := range []string{region, ""} {
				check(nsn, cc, reg)
				b := []byte(nsn)
				b[r.IntN(len(b))] = byte('0' + r.IntN(10))
				check(string(b), cc, reg)
				check(nsn[:len(nsn)-1], cc, reg)
				check(nsn+strconv.Itoa(r.IntN(10)), cc, reg)
			}
		}
		for k := 0; k < 20; k++ {
			b := make([]byte, 6+r.IntN(8))
			for i := range b {
				b[i] = byte('0' + r.IntN(10))
			}
			check(string(b), cc, region)
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		for _, typ := range types {
			if ex := phonenumbers.GetExampleNumberForNonGeoEntity(cc); ex != nil && typ == phonenumbers.FIXED_LINE {
				check(phonenumbers.GetNationalSignificantNumber(ex), int32(cc), nonGeoRegion)
			}
		}
	}
	if checked < 5000 || valid < 1000 {
		t.Fatalf("only %d numbers checked, %d valid: the comparison proves little", checked, valid)
	}
}

// TestValidInternational checks numbers written after '+' against libphonenumber's
// parse-and-validate.
func TestValidInternational(t *testing.T) {
	for _, c := range []struct {
		digits string
		want   bool
	}{
		{"442079460958", true},  // GB fixed line
		{"14155552671", true},   // US
		{"14151550000", false},  // NANP exchange starting with 1
		{"16135550123", true},   // CA, a second region of +1
		{"4915123456789", true}, // DE mobile
		{"80012345678", true},   // +800, non-geographic
		{"999123456789", false}, // no such country code
		{"33", false},
	} {
		if got := validInternational(c.digits); got != c.want {
			t.Errorf("validInternational(%s) = %v, want %v", c.digits, got, c.want)
		}
		p, err := phonenumbers.Parse("+"+c.digits, "ZZ")
		if lib := err == nil && phonenumbers.IsValidNumber(p); lib != c.want {
			t.Errorf("libphonenumber disagrees on +%s: %v", c.digits, lib)
		}
	}
}

// TestDigitDFAAgreesWithRegexp: the DFA of every pattern of every region (general
// description, number types, leading digits) answers as the pattern's regexp, on the
// example numbers, on them with a digit changed, cut or extended, and on random digits
// after their first one to six digits; and nearly every pattern has one.
func TestDigitDFAAgreesWithRegexp(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	var examples []string
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE} {
			if ex := phonenumbers.GetExampleNumberForType(region, typ); ex != nil {
				examples = append(examples, phonenumbers.GetNationalSignificantNumber(ex))
			}
		}
	}
	inputs := func() []string {
		in := []string{"0", "1", "00000000", "99999999999999999"}
		for range 40 {
			ex := examples[r.IntN(len(examples))]
			b := []byte(ex)
			b[r.IntN(len(b))] = byte('0' + r.IntN(10))
			in = append(in, ex, string(b), ex[:r.IntN(len(ex))+1], ex+strconv.Itoa(r.IntN(10)))
			p := []byte(ex[:min(len(ex), 1+r.IntN(6))])
			for range r.IntN(12) {
				p = append(p, byte('0'+r.IntN(10)))
			}
			in = append(in, string(p))
		}
		return in
	}
	patterns, withDFA := 0, 0
	check := func(region string, d numberDesc) {
		if d.re == nil {
			return
		}
		patterns++
		if d.dfa == nil {
			return
		}
		withDFA++
		for _, s := range inputs() {
			if got, want := d.dfa.match(s), d.re.MatchString(s); got != want {
				t.Errorf("%s %s: DFA says %v for %s, the regexp %v", region, d.re, got, s, want)
			}
		}
	}
	for region := range phonenumbers.GetSupportedRegions() {
		rules := compileRules(int32(phonenumbers.GetCountryCodeForRegion(region)), region)
		if rules == nil {
			continue
		}
		check(region, rules.general)
		for _, d := range rules.types {
			check(region, d)
		}
		if rules.leading != nil {
			patterns++
			if rules.leadingDFA != nil {
				withDFA++
				for _, s := range inputs() {
					if got, want := rules.leadingDFA.matchPrefix(s), rules.leading.MatchString(s); got != want {
						t.Errorf("%s leading %s: DFA says %v for %s, the regexp %v", region, rules.leading, got, s, want)
					}
				}
			}
		}
	}
	if patterns < 1000 || withDFA < patterns*95/100 {
		t.Fatalf("%d of %d patterns have a DFA", withDFA, patterns)
	}
	t.Logf("%d of %d patterns have a DFA", withDFA, patterns)
}
