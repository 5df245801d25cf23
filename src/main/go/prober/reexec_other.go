//go:build !unix

package main

// execProgram: without an exec that replaces the process, the prober keeps the container's GODEBUG.
func execProgram(path string, argv, env []string) error {
	return errNoExec
}
