//go:build unix

package main

import "syscall"

// execProgram replaces this process with path's program; it returns only on failure.
func execProgram(path string, argv, env []string) error {
	return syscall.Exec(path, argv, env)
}
