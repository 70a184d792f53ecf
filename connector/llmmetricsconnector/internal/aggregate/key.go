package aggregate

import (
	"encoding/binary"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Key encodes the attribute values of one series into a byte string that is used as a map
// key. Values are length-prefixed, so no value can be mistaken for a separator. A Key is
// reused across spans: looking a []byte up in a map[string] does not allocate.
type Key struct{ buf []byte }

// Reset empties the key for the next series.
func (k *Key) Reset() { k.buf = k.buf[:0] }

// Str appends a string value; "" means the attribute is absent.
func (k *Key) Str(s string) {
	k.buf = binary.AppendUvarint(k.buf, uint64(len(s)))
	k.buf = append(k.buf, s...)
}

// Int appends an integer value; ok=false means the attribute is absent.
func (k *Key) Int(v int64, ok bool) {
	if !ok {
		k.buf = append(k.buf, 0)
		return
	}
	k.buf = append(k.buf, 1)
	k.buf = binary.LittleEndian.AppendUint64(k.buf, uint64(v))
}

// Bytes is the encoded key; valid until the next Reset.
func (k *Key) Bytes() []byte { return k.buf }

// Slot describes one encoded value: the attribute name it is emitted as and its kind.
type Slot struct {
	Name string
	Int  bool
}

// Schema lists the slots of a key in the order they were appended.
type Schema []Slot

// Decode writes the attributes encoded in key into dest, skipping absent values.
func (s Schema) Decode(key string, dest pcommon.Map) {
	dest.EnsureCapacity(len(s))
	for _, slot := range s {
		if slot.Int {
			if key[0] == 0 {
				key = key[1:]
				continue
			}
			dest.PutInt(slot.Name, int64(binary.LittleEndian.Uint64([]byte(key[1:9]))))
			key = key[9:]
			continue
		}
		n, w := binary.Uvarint([]byte(key[:min(len(key), binary.MaxVarintLen64)]))
		key = key[w:]
		if n > 0 {
			dest.PutStr(slot.Name, key[:n])
		}
		key = key[n:]
	}
}
