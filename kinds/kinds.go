// Package kinds registers the scheme kinds idsim ships. Importing it (the
// scenario loader does) makes them available by name; this file is the
// one list of them. Each kind lives in a package of its own, built the
// way a user's kind would be, through package kind.
package kinds

import (
	"github.com/idsim/idsim/kind"
	"github.com/idsim/idsim/kinds/autoinc"
	"github.com/idsim/idsim/kinds/process"
	"github.com/idsim/idsim/kinds/rangebatch"
	"github.com/idsim/idsim/kinds/snowflake"
	"github.com/idsim/idsim/kinds/tickets"
	"github.com/idsim/idsim/kinds/ulid"
	"github.com/idsim/idsim/kinds/uuidv4"
	"github.com/idsim/idsim/kinds/uuidv7"
)

func init() {
	for _, k := range []kind.Kind{
		snowflake.Kind{}, uuidv4.Kind{}, uuidv7.Kind{}, ulid.Kind{},
		rangebatch.Kind{}, autoinc.Kind{}, tickets.Kind{}, process.Kind{},
	} {
		kind.Register(k)
	}
}
