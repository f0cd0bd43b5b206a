package main

// usageError is a command line a command cannot read — a flag's value
// that is not one it takes, or two flags that exclude each other. Said
// like any error, it exits 2 (exitUsage), as an unknown command does, so
// a script can tell a command typed wrong from one that ran and failed.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }

func (e usageError) Unwrap() error { return e.err }

// ExitCode makes dispatch exit with exitUsage.
func (e usageError) ExitCode() int { return exitUsage }
