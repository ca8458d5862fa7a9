package check

import (
	"os"
	"testing"

	"github.com/idsim/idsim/generators/gentest"
)

func TestMain(m *testing.M) {
	gentest.DefaultSeed()
	os.Exit(m.Run())
}
