package scenarios

import (
	"strings"
)

// Source returns the text a scenario was loaded from: a shipped
// scenario's embedded file, or the file at its path.
func Source(sc *Scenario) ([]byte, error) {
	if name, ok := strings.CutPrefix(sc.File, "embedded:"); ok {
		return ShippedSource(strings.TrimSuffix(name, ".yaml"))
	}
	return ReadFile(sc.File, MaxFileSize)
}
