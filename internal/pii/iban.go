package pii

// ibanLength is the IBAN length per country (ISO 13616 registry).
var ibanLength = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
	"BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
	"DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
	"FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
	"GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
	"JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
	"LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27,
	"MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28,
	"PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
	"SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}

// iban matches an IBAN that starts at i (two capital letters, two check digits), written
// in one piece or in space-separated groups of four. It returns the end of the match,
// or -1.
func iban(text string, i int) int {
	if i+4 > len(text) {
		return -1
	}
	want, ok := ibanLength[text[i:i+2]]
	if !ok || text[i+2:i+4] < "02" || text[i+2:i+4] > "98" {
		return -1 // check digits are 02..98
	}
	var buf [34]byte
	n := 0
	j := i
	for j < len(text) && n < want {
		c := text[j]
		switch {
		case isDigit(c) || c >= 'A' && c <= 'Z':
			buf[n] = c
			n++
			j++
		case c == ' ' && n%4 == 0 && j+1 < len(text) && isAlnum(text[j+1]):
			j++
		default:
			return -1
		}
	}
	if n != want || (j < len(text) && isAlnum(text[j])) {
		return -1
	}
	if !Mod97(string(buf[:n])) {
		return -1
	}
	return j
}
