package pii

import "strings"

// tlds holds the country-code TLDs and the generic TLDs seen in practice. A domain
// without one of them (example.local, host.internal, file.json) is not an email domain.
var tlds = func() map[string]struct{} {
	const cc = "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt bw by bz " +
		"ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu fi fj fk fm fo fr " +
		"ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp " +
		"ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu " +
		"mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa " +
		"sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr tt tv tw tz ua ug uk " +
		"us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
	const generic = "com net org edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat post " +
		"app dev cloud tech online site store shop blog xyz top club live news email solutions agency digital company " +
		"services network systems software support zone world today group global media studio design space website host " +
		"page link click help work works team center city land life love guru expert consulting google amazon microsoft " +
		"apple inc llc ltd health care ninja rocks social money finance financial bank insurance law legal art one fun run " +
		"win bot chat codes engineering technology academy education school university institute foundation church " +
		"science energy eco green capital ventures partners holdings enterprises international photography photos " +
		"pictures gallery video game games play music radio film movie fashion clothing shoes jewelry beauty fitness " +
		"yoga golf football soccer bike cars auto car realty realestate properties house homes rent estate tours " +
		"flights hotel hotels restaurant cafe pizza bar pub wine beer coffee kitchen recipes food farm garden pet pets " +
		"dog family kids baby wedding dating community events party marketing management business ai io me sh ly gg " +
		"mail security tools ltd plus red blue black pink gold market markets trade trading exchange review reviews " +
		"science tax accountant accountants lawyer attorney dental doctor clinic hospital care healthcare medical " +
		"report press wiki host hosting domains directory taxi travel vip xin best cool fyi icu mom lol biz"
	m := map[string]struct{}{}
	for _, t := range strings.Fields(cc + " " + generic) {
		m[t] = struct{}{}
	}
	return m
}()

// knownTLD reports whether label (any case) is a top-level domain in use.
func knownTLD(label string) bool {
	if len(label) < 2 || len(label) > 24 {
		return false
	}
	var buf [24]byte
	for i := 0; i < len(label); i++ {
		c := label[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c >= 'a' && c <= 'z':
		default:
			return false
		}
		buf[i] = c
	}
	_, ok := tlds[string(buf[:len(label)])]
	return ok
}
