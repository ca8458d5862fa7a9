// Package names maps small enumerations to the names scenario files use.
package names

import (
	"fmt"
	"strings"
)

// Of returns names[i], or type(i) for a value without a name.
func Of(names []string, i int, typ string) string {
	if i >= 0 && i < len(names) && names[i] != "" {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", typ, i)
}

// Index returns the position of s in names, ignoring case, or an error
// that lists the names and says what was wanted.
func Index(names []string, s, what string) (int, error) {
	for i, n := range names {
		if n != "" && strings.EqualFold(s, n) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (want one of: %s)", what, s, strings.Join(names, ", "))
}
