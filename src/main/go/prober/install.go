package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// install copies this executable to dest with mode 0555, so an init container can put the prober into a
// shared volume without a shell or a cp in its image. The copy goes to a temporary file beside dest and is
// renamed into place, so a container never sees half a binary.
func install(dest string) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("cannot find this executable: %v", err)
	}
	in, err := os.Open(self)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".prober-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := io.Copy(tmp, in); err != nil {
		tmp.Close()
		return fmt.Errorf("copying to %s: %v", dest, err)
	}
	if err := tmp.Chmod(0o555); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dest)
}
