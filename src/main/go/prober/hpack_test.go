package main

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 7541 C.1: integer representation examples.
func TestHpackIntegers(t *testing.T) {
	for _, c := range []struct {
		prefix uint
		value  uint64
		want   string
	}{{5, 10, "0a"}, {5, 1337, "1f9a0a"}, {8, 42, "2a"}, {7, 127, "7f00"}, {4, 15, "0f00"}} {
		got := appendHpackInt(nil, 0, c.prefix, c.value)
		if hex.EncodeToString(got) != c.want {
			t.Errorf("encode %d/%d: %x, want %s", c.value, c.prefix, got, c.want)
		}
		v, rest, err := readHpackInt(got, c.prefix)
		if err != nil || v != c.value || len(rest) != 0 {
			t.Errorf("decode %x: %d %x %v", got, v, rest, err)
		}
	}
	if _, _, err := readHpackInt(unhex(t, "1f9a"), 5); !errors.Is(err, errHpack) {
		t.Errorf("a truncated integer must fail, got %v", err)
	}
}

// RFC 7541 C.4: Huffman-coded strings.
func TestHuffmanDecodesTheRFCExamples(t *testing.T) {
	for coded, want := range map[string]string{
		"f1e3c2e5f23a6ba0ab90f4ff": "www.example.com",
		"a8eb10649cbf":             "no-cache",
		"25a849e95ba97d7f":         "custom-key",
		"25a849e95bb8e8b4bf":       "custom-value",
		"6402":                     "302",
		"aec3771a4b":               "private",
		"d07abe941054d444a8200595040b8166e082a62d1bff": "Mon, 21 Oct 2013 20:13:21 GMT",
		"9d29ad171863c78f0b97c8e9ae82ae43d3":           "https://www.example.com",
	} {
		got, err := huffmanDecode(unhex(t, coded))
		if err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", coded, got, err, want)
		}
	}
}

// huffmanEncode is the encoder the prober does not need, for the tests: a fake server codes its answers.
func huffmanEncode(s string) []byte {
	codes, lengths := huffmanCodes()
	var out []byte
	var acc uint64
	var n uint
	for _, c := range []byte(s) {
		acc = acc<<lengths[c] | uint64(codes[c])
		n += uint(lengths[c])
		for n >= 8 {
			out = append(out, byte(acc>>(n-8)))
			n -= 8
		}
	}
	if n > 0 {
		out = append(out, byte(acc<<(8-n))|byte(0xff>>n)) // pad with the first bits of EOS
	}
	return out
}

func TestHuffmanRoundTripsEveryByte(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, s := range []string{string(all), "", "a", "grpc-status", "application/grpc"} {
		got, err := huffmanDecode(huffmanEncode(s))
		if err != nil || got != s {
			t.Errorf("round trip of %q: %q, %v", s, got, err)
		}
	}
}

func TestHuffmanRejectsBadPadding(t *testing.T) {
	// "0" is 00000 (5 bits): padded with zeros instead of ones, or with a whole byte of ones.
	for _, bad := range []string{"00", "07ff", "ffffffff"} {
		if _, err := huffmanDecode(unhex(t, bad)); !errors.Is(err, errHpack) {
			t.Errorf("%s: want an error, got %v", bad, err)
		}
	}
}

// RFC 7541 C.4.1-C.4.3: three requests on one connection, Huffman-coded, filling the dynamic table.
func TestDecoderFollowsTheDynamicTable(t *testing.T) {
	d := newHpackDecoder()
	blocks := []string{
		"828684418cf1e3c2e5f23a6ba0ab90f4ff",
		"828684be5886a8eb10649cbf",
		"828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
	}
	want := []string{
		"[{:method GET} {:scheme http} {:path /} {:authority www.example.com}]",
		"[{:method GET} {:scheme http} {:path /} {:authority www.example.com} {cache-control no-cache}]",
		"[{:method GET} {:scheme https} {:path /index.html} {:authority www.example.com} {custom-key custom-value}]",
	}
	for i, b := range blocks {
		got, err := d.decode(unhex(t, b))
		if err != nil || fmt.Sprint(got) != want[i] {
			t.Errorf("block %d: %v, %v; want %s", i, got, err, want[i])
		}
	}
	if d.size != 164 {
		t.Errorf("table size %d, want 164 (RFC 7541 C.4.3)", d.size)
	}
	// A size update to 0 empties the table; an index into it then fails.
	if _, err := d.decode(unhex(t, "20be")); !errors.Is(err, errHpack) {
		t.Errorf("index 62 after emptying the table: %v", err)
	}
}

func TestLiteralFieldsDecodeAsSent(t *testing.T) {
	var block []byte
	block = appendLiteralField(block, ":path", "/grpc.health.v1.Health/Check")
	block = appendLiteralField(block, "user-agent", string(bytes.Repeat([]byte("u"), 300)))
	got, err := newHpackDecoder().decode(block)
	if err != nil || len(got) != 2 || got[0] != (headerField{":path", "/grpc.health.v1.Health/Check"}) || len(got[1].value) != 300 {
		t.Errorf("%v %v", got, err)
	}
	if block[0] != 0x00 {
		t.Errorf("literal without indexing, new name: first byte 0x00, got %#x", block[0])
	}
}

func TestMalformedBlocksFail(t *testing.T) {
	for _, bad := range []string{"80", "ff00", "4005", "0003616263", "3fe21f"} {
		if _, err := newHpackDecoder().decode(unhex(t, bad)); !errors.Is(err, errHpack) {
			t.Errorf("%s: want an HPACK error, got %v", bad, err)
		}
	}
}

// FuzzHpackDecode: whatever a server sends, decoding ends in fields or an error, never a panic. The seeds
// (RFC 7541's blocks) run in every go test; go test -fuzz=FuzzHpackDecode explores further.
func FuzzHpackDecode(f *testing.F) {
	for _, seed := range []string{"828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf", "3fe11f", "00", "ff"} {
		b, _ := hex.DecodeString(seed)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, block []byte) {
		d := newHpackDecoder()
		d.decode(block)
		d.decode(block) // again, against whatever the first pass left in the dynamic table
		if d.size > d.maxSize {
			t.Errorf("table size %d over its maximum %d", d.size, d.maxSize)
		}
	})
}
