package uuid

import "github.com/idsim/idsim/generators/entropy"

func newTestSource() entropy.Source { return entropy.Secure() }
