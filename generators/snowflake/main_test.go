package snowflake

import (
	"os"
	"testing"

	"github.com/idsim/idsim/generators/internal/rapidtest"
)

func TestMain(m *testing.M) {
	rapidtest.DefaultSeed()
	os.Exit(m.Run())
}
