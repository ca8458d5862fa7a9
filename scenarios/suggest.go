package scenarios

import (
	"github.com/idsim/idsim/expect"
	"github.com/idsim/idsim/faults"
	"github.com/idsim/idsim/kind"
	"reflect"
	"sort"
	"strings"
)

// knownKeys are every key the scenario format has, gathered from the
// spec structs' tags.
func knownKeys() []string {
	seen := map[string]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if tag := strings.Split(f.Tag.Get("yaml"), ",")[0]; tag != "" && !seen[tag] {
				seen[tag] = true
				walk(f.Type)
			}
		}
	}
	for _, t := range []any{fileSpec{}, workersSpec{}, loadSpec{}} {
		walk(reflect.TypeOf(t))
	}
	seen["label"], seen["kind"] = true, true
	for _, k := range expect.Keys() {
		seen[k] = true
	}
	for _, k := range faults.Kinds() {
		for _, key := range k.Keys {
			seen[key] = true
		}
	}
	for _, k := range kind.All() {
		for _, key := range k.Keys() {
			seen[key] = true
		}
		if n, ok := k.(kind.NestedKeys); ok {
			for _, key := range n.NestedKeys() {
				seen[key] = true
			}
		}
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// suggest returns the known key closest to an unknown one, if it is close
// enough to be a typo.
func suggest(key string) string {
	best, bestD := "", 3
	for _, k := range knownKeys() {
		if d := distance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
