package main

// A minimal HPACK (RFC 7541) for one gRPC call. The request side encodes every field as a "literal without
// indexing" with a literal name and no Huffman coding: the simplest form every server must accept, which
// leaves the server's view of our dynamic table empty. The response side must decode whatever the server
// chose: indexed fields from the static and dynamic tables, literals with or without indexing, table size
// updates and Huffman-coded strings (Go servers code most strings; Netty only long ones).

import (
	"errors"
	"fmt"
)

// maxHeaderListBytes bounds what one response's header blocks may add up to; a health check's are tiny.
const maxHeaderListBytes = 64 * 1024

// appendHpackInt appends i with an n-bit prefix (RFC 7541 5.1); first holds the bits above the prefix.
func appendHpackInt(dst []byte, first byte, n uint, i uint64) []byte {
	max := uint64(1)<<n - 1
	if i < max {
		return append(dst, first|byte(i))
	}
	dst = append(dst, first|byte(max))
	for i -= max; i >= 128; i >>= 7 {
		dst = append(dst, byte(i&0x7f)|0x80)
	}
	return append(dst, byte(i))
}

// appendLiteralField encodes name: value as a literal header field without indexing, new name (0x00).
func appendLiteralField(dst []byte, name, value string) []byte {
	dst = append(dst, 0x00)
	dst = appendHpackInt(dst, 0, 7, uint64(len(name)))
	dst = append(dst, name...)
	dst = appendHpackInt(dst, 0, 7, uint64(len(value)))
	return append(dst, value...)
}

type headerField struct{ name, value string }

// staticTable is RFC 7541 Appendix A; index 1 is staticTable[0].
var staticTable = [...]headerField{
	{":authority", ""}, {":method", "GET"}, {":method", "POST"}, {":path", "/"}, {":path", "/index.html"},
	{":scheme", "http"}, {":scheme", "https"}, {":status", "200"}, {":status", "204"}, {":status", "206"},
	{":status", "304"}, {":status", "400"}, {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
	{"accept-encoding", "gzip, deflate"}, {"accept-language", ""}, {"accept-ranges", ""}, {"accept", ""},
	{"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""}, {"authorization", ""},
	{"cache-control", ""}, {"content-disposition", ""}, {"content-encoding", ""}, {"content-language", ""},
	{"content-length", ""}, {"content-location", ""}, {"content-range", ""}, {"content-type", ""},
	{"cookie", ""}, {"date", ""}, {"etag", ""}, {"expect", ""}, {"expires", ""}, {"from", ""}, {"host", ""},
	{"if-match", ""}, {"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""},
	{"if-unmodified-since", ""}, {"last-modified", ""}, {"link", ""}, {"location", ""}, {"max-forwards", ""},
	{"proxy-authenticate", ""}, {"proxy-authorization", ""}, {"range", ""}, {"referer", ""}, {"refresh", ""},
	{"retry-after", ""}, {"server", ""}, {"set-cookie", ""}, {"strict-transport-security", ""},
	{"transfer-encoding", ""}, {"user-agent", ""}, {"vary", ""}, {"via", ""}, {"www-authenticate", ""},
}

// hpackDecoder keeps the dynamic table across the header blocks of one connection.
type hpackDecoder struct {
	dynamic []headerField // newest first
	size    int           // RFC 7541 4.1: sum of len(name)+len(value)+32
	maxSize int           // as last set by the server, at most the 4096 we allow (the default)
}

func newHpackDecoder() *hpackDecoder { return &hpackDecoder{maxSize: 4096} }

var errHpack = errors.New("malformed HPACK header block")

func (d *hpackDecoder) field(index uint64) (headerField, error) {
	switch {
	case index == 0:
		return headerField{}, fmt.Errorf("%w: index 0", errHpack)
	case index <= uint64(len(staticTable)):
		return staticTable[index-1], nil
	case index-uint64(len(staticTable)) <= uint64(len(d.dynamic)):
		return d.dynamic[index-uint64(len(staticTable))-1], nil
	}
	return headerField{}, fmt.Errorf("%w: index %d beyond the tables", errHpack, index)
}

func (d *hpackDecoder) add(f headerField) {
	d.dynamic = append([]headerField{f}, d.dynamic...)
	d.size += len(f.name) + len(f.value) + 32
	d.evict()
}

func (d *hpackDecoder) evict() {
	for d.size > d.maxSize && len(d.dynamic) > 0 {
		last := d.dynamic[len(d.dynamic)-1]
		d.size -= len(last.name) + len(last.value) + 32
		d.dynamic = d.dynamic[:len(d.dynamic)-1]
	}
}

// decode reads one complete header block (HEADERS plus any CONTINUATION payloads, joined).
func (d *hpackDecoder) decode(block []byte) ([]headerField, error) {
	var out []headerField
	for len(block) > 0 {
		b := block[0]
		switch {
		case b&0x80 != 0: // indexed header field
			i, rest, err := readHpackInt(block, 7)
			if err != nil {
				return nil, err
			}
			f, err := d.field(i)
			if err != nil {
				return nil, err
			}
			out, block = append(out, f), rest
		case b&0xc0 == 0x40: // literal with incremental indexing
			f, rest, err := d.literal(block, 6)
			if err != nil {
				return nil, err
			}
			d.add(f)
			out, block = append(out, f), rest
		case b&0xe0 == 0x20: // dynamic table size update
			n, rest, err := readHpackInt(block, 5)
			if err != nil {
				return nil, err
			}
			if n > 4096 {
				return nil, fmt.Errorf("%w: table size %d above the 4096 allowed", errHpack, n)
			}
			d.maxSize = int(n)
			d.evict()
			block = rest
		default: // literal without indexing (0000) or never indexed (0001)
			f, rest, err := d.literal(block, 4)
			if err != nil {
				return nil, err
			}
			out, block = append(out, f), rest
		}
	}
	return out, nil
}

// literal reads a literal field whose name is indexed (prefix value > 0) or a string (0).
func (d *hpackDecoder) literal(block []byte, prefix uint) (headerField, []byte, error) {
	i, rest, err := readHpackInt(block, prefix)
	if err != nil {
		return headerField{}, nil, err
	}
	var f headerField
	if i > 0 {
		named, err := d.field(i)
		if err != nil {
			return headerField{}, nil, err
		}
		f.name = named.name
	} else if f.name, rest, err = readHpackString(rest); err != nil {
		return headerField{}, nil, err
	}
	if f.value, rest, err = readHpackString(rest); err != nil {
		return headerField{}, nil, err
	}
	return f, rest, nil
}

func readHpackInt(p []byte, n uint) (uint64, []byte, error) {
	max := uint64(1)<<n - 1
	i := uint64(p[0]) & max
	p = p[1:]
	if i < max {
		return i, p, nil
	}
	for shift := uint(0); ; shift += 7 {
		if len(p) == 0 {
			return 0, nil, fmt.Errorf("%w: truncated integer", errHpack)
		}
		if shift > 28 {
			return 0, nil, fmt.Errorf("%w: integer too large", errHpack)
		}
		b := p[0]
		p = p[1:]
		i += uint64(b&0x7f) << shift
		if b&0x80 == 0 {
			return i, p, nil
		}
	}
}

func readHpackString(p []byte) (string, []byte, error) {
	if len(p) == 0 {
		return "", nil, fmt.Errorf("%w: truncated string", errHpack)
	}
	huffman := p[0]&0x80 != 0
	n, rest, err := readHpackInt(p, 7)
	if err != nil {
		return "", nil, err
	}
	if n > uint64(len(rest)) || n > maxHeaderListBytes {
		return "", nil, fmt.Errorf("%w: string of %d bytes past the end of the block", errHpack, n)
	}
	raw, rest := rest[:n], rest[n:]
	if !huffman {
		return string(raw), rest, nil
	}
	s, err := huffmanDecode(raw)
	return s, rest, err
}

// huffmanCodeLengths holds the bit length of each byte's code in RFC 7541 Appendix B. That code is
// canonical (codes of one length are consecutive, in symbol order, and each length starts where the shorter
// ones ended), so the lengths alone define it; EOS (symbol 256) is the 30-bit code of all ones.
var huffmanCodeLengths = [256]uint8{
	13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
	28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
	6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
	5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
	13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
	15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
	6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
	20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
	24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
	22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
	21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
	26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
	19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
	20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
	26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
}

const huffmanEOS = 256

// huffmanNode is a node of the decoding tree; a leaf has sym >= 0.
type huffmanNode struct {
	child [2]*huffmanNode
	sym   int
}

var huffmanRoot = buildHuffmanTree()

// huffmanCodes assigns the canonical codes: sorted by (length, symbol), each code is the previous one plus
// one, shifted left by the growth in length. It returns code and length per symbol, EOS included.
func huffmanCodes() (codes [257]uint32, lengths [257]uint8) {
	for s := 0; s < 256; s++ {
		lengths[s] = huffmanCodeLengths[s]
	}
	lengths[huffmanEOS] = 30
	code, prevLen, first := uint32(0), uint8(0), true
	for l := uint8(1); l <= 30; l++ {
		for s := 0; s <= huffmanEOS; s++ {
			if lengths[s] != l {
				continue
			}
			if !first {
				code = (code + 1) << (l - prevLen)
			}
			first, prevLen = false, l
			codes[s] = code
		}
	}
	return codes, lengths
}

func buildHuffmanTree() *huffmanNode {
	root := &huffmanNode{sym: -1}
	codes, lengths := huffmanCodes()
	for s := 0; s <= huffmanEOS; s++ {
		n := root
		for bit := int(lengths[s]) - 1; bit >= 0; bit-- {
			b := (codes[s] >> uint(bit)) & 1
			if n.child[b] == nil {
				n.child[b] = &huffmanNode{sym: -1}
			}
			n = n.child[b]
		}
		n.sym = s
	}
	return root
}

// huffmanDecode decodes a Huffman-coded string. The padding after the last symbol must be fewer than 8
// bits, all ones (a prefix of EOS); EOS itself must not appear (RFC 7541 5.2).
func huffmanDecode(p []byte) (string, error) {
	out := make([]byte, 0, len(p)*8/5)
	n, depth, ones := huffmanRoot, 0, true
	for _, b := range p {
		for bit := 7; bit >= 0; bit-- {
			v := (b >> uint(bit)) & 1
			n = n.child[v]
			if n == nil {
				return "", fmt.Errorf("%w: invalid Huffman code", errHpack)
			}
			depth++
			ones = ones && v == 1
			if n.sym == huffmanEOS {
				return "", fmt.Errorf("%w: EOS inside a Huffman string", errHpack)
			}
			if n.sym >= 0 {
				out = append(out, byte(n.sym))
				n, depth, ones = huffmanRoot, 0, true
			}
		}
	}
	if depth > 7 || !ones {
		return "", fmt.Errorf("%w: invalid Huffman padding", errHpack)
	}
	return string(out), nil
}
