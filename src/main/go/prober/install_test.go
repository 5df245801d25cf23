package main

import (
	"bytes"
	"os"
	"testing"
)

func TestInstallCopiesItselfReadOnlyExecutable(t *testing.T) {
	dest := t.TempDir() + "/prober"
	var out bytes.Buffer
	if code := run([]string{"install", dest}, &out, &out); code != 0 {
		t.Fatalf("%d %s", code, out.String())
	}
	// The test binary is what runs here, so the copy must be byte for byte that.
	self, _ := os.Executable()
	want, _ := os.ReadFile(self)
	got, err := os.ReadFile(dest)
	if err != nil || len(want) == 0 || !bytes.Equal(got, want) {
		t.Errorf("copy differs from the executable (%v)", err)
	}
	if st, err := os.Stat(dest); err != nil || st.Mode().Perm() != 0o555 {
		t.Errorf("mode %v (%v), want -r-xr-xr-x", st.Mode(), err)
	}
	out.Reset()
	if code := run([]string{"install", t.TempDir() + "/missing/dir/prober"}, &out, &out); code != 1 {
		t.Errorf("into a missing directory: %d %s", code, out.String())
	}
}
