package entropy

import "testing"

func TestSecureSourcesDiffer(t *testing.T) {
	a, b := Secure(), Secure()
	if a.Uint64() == b.Uint64() && a.Uint64() == b.Uint64() {
		t.Error("two secure sources gave the same values")
	}
}
