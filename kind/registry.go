package kind

import (
	"fmt"
	"slices"
	"sync"
)

var (
	mu    sync.RWMutex
	kinds []Kind
)

// Register adds a kind to the registry. It panics if a kind of the same
// name is registered already: two kinds cannot share a name in scenario
// files.
func Register(k Kind) {
	mu.Lock()
	defer mu.Unlock()
	if slices.ContainsFunc(kinds, func(x Kind) bool { return x.Name() == k.Name() }) {
		panic(fmt.Sprintf("kind: %q registered twice", k.Name()))
	}
	kinds = append(kinds, k)
}

// Lookup returns the kind of that name.
func Lookup(name string) (Kind, bool) {
	mu.RLock()
	defer mu.RUnlock()
	for _, k := range kinds {
		if k.Name() == name {
			return k, true
		}
	}
	return nil, false
}

// All returns the registered kinds in registration order.
func All() []Kind {
	mu.RLock()
	defer mu.RUnlock()
	return slices.Clone(kinds)
}

// Names returns the registered kinds' names in registration order.
func Names() []string {
	var names []string
	for _, k := range All() {
		names = append(names, k.Name())
	}
	return names
}
