module github.com/idsim/idsim/thirdparty/gofrsuuid-v5.5.0

go 1.26.0

require github.com/idsim/idsim/generators v0.0.0-00010101000000-000000000000

require (
	github.com/gofrs/uuid/v5 v5.5.0
	pgregory.net/rapid v1.3.0 // indirect
)

replace github.com/idsim/idsim/generators => ../../generators
