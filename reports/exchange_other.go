//go:build !(linux && (amd64 || arm64))

package reports

// exchange reports that this system has no exchange rename; replaceDir
// falls back to two renames.
func exchange(a, b string) error { return errNoExchange }
