module github.com/idsim/idsim/thirdparty/googleuuid-v1.6.0

go 1.26.0

require github.com/idsim/idsim/generators v0.0.0-00010101000000-000000000000

require (
	github.com/google/uuid v1.6.0
	pgregory.net/rapid v1.3.0 // indirect
)

replace github.com/idsim/idsim/generators => ../../generators
