// Package sse splits a text/event-stream (the WHATWG server-sent events format that
// OpenAI and Anthropic stream in) into events as its bytes arrive, in pieces of any size.
//
// The parser only observes: it never changes or holds back the bytes it is given, so a
// proxy can pass every chunk on first and parse it afterwards.
package sse

import "bytes"

// Event is one dispatched event. Its slices are only valid during the callback.
type Event struct {
	// Name is the "event:" field; empty means the default type "message".
	Name []byte
	// Data is the "data:" lines joined with "\n".
	Data []byte
}

// Parser is an incremental event-stream parser. The zero value is not usable; use New.
type Parser struct {
	onEvent func(Event)
	maxSize int

	line    []byte // the incomplete line carried over from the last Feed
	inLine  bool   // line holds (or, on overflow, dropped) the start of a line
	name    []byte
	data    []byte
	hasData bool
	// skipLF is set after a '\r' ended a line, so that a '\n' right after it (a CRLF
	// split across two Feeds) does not end a second, empty line.
	skipLF bool
	// overflow is set while the current event is larger than maxSize: its data is
	// dropped and the event is not dispatched.
	overflow bool
	// bom counts the bytes of a leading byte-order mark matched so far; 3 or more
	// means the start of the stream is behind us.
	bom int

	// Dropped counts events discarded because they were larger than maxSize.
	Dropped int
}

// New returns a parser that calls onEvent for every complete event. Events (or single
// lines) larger than maxSize bytes are dropped and counted, which bounds memory whatever
// the stream contains.
func New(maxSize int, onEvent func(Event)) *Parser {
	return &Parser{onEvent: onEvent, maxSize: maxSize}
}

var bom = []byte("\xef\xbb\xbf")

// Feed parses the next piece of the stream.
func (p *Parser) Feed(b []byte) {
	for p.bom < len(bom) && len(b) > 0 {
		if b[0] == bom[p.bom] {
			p.bom++
			b = b[1:]
			continue
		}
		matched := p.bom
		p.bom = len(bom) + 1
		p.feed(bom[:matched]) // a partial mark was content after all
	}
	p.feed(b)
}

func (p *Parser) feed(b []byte) {
	for len(b) > 0 {
		if p.skipLF {
			p.skipLF = false
			if b[0] == '\n' {
				b = b[1:]
				continue
			}
		}
		i := bytes.IndexAny(b, "\r\n")
		if i < 0 {
			p.appendLine(b)
			return
		}
		if b[i] == '\r' {
			p.skipLF = true
		}
		if p.inLine {
			p.appendLine(b[:i])
			if !p.overflow {
				p.processLine(p.line)
			}
			p.line = p.line[:0]
			p.inLine = false
		} else {
			p.processLine(b[:i])
		}
		b = b[i+1:]
	}
}

// Pending reports whether bytes of an unfinished event are buffered: at the end of a
// stream that means it was truncated.
func (p *Parser) Pending() bool {
	return p.inLine || p.hasData || len(p.name) > 0 || p.overflow
}

func (p *Parser) appendLine(b []byte) {
	p.inLine = true
	if p.overflow {
		return
	}
	if len(p.line)+len(b) > p.maxSize {
		p.startOverflow()
		return
	}
	p.line = append(p.line, b...)
}

func (p *Parser) startOverflow() {
	p.overflow = true
	p.line = p.line[:0]
	p.data = p.data[:0]
}

func (p *Parser) processLine(line []byte) {
	if len(line) == 0 {
		p.dispatch()
		return
	}
	if p.overflow || line[0] == ':' {
		return
	}
	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(field) {
	case "data":
		if p.hasData {
			if len(p.data)+1+len(value) > p.maxSize {
				p.startOverflow()
				return
			}
			p.data = append(p.data, '\n')
		} else if len(value) > p.maxSize {
			p.startOverflow()
			return
		}
		p.data = append(p.data, value...)
		p.hasData = true
	case "event":
		p.name = append(p.name[:0], value...)
	}
	// id and retry are irrelevant to a capture; unknown fields are ignored per spec.
}

func (p *Parser) dispatch() {
	if p.overflow {
		p.Dropped++
	} else if p.hasData {
		p.onEvent(Event{Name: p.name, Data: p.data})
	}
	p.overflow = false
	p.hasData = false
	p.name = p.name[:0]
	p.data = p.data[:0]
}
