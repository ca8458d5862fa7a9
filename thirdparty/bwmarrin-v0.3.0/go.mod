module github.com/idsim/idsim/thirdparty/bwmarrin-v0.3.0

go 1.26.0

require github.com/idsim/idsim/generators v0.0.0-00010101000000-000000000000

require (
	github.com/bwmarrin/snowflake v0.3.0
	pgregory.net/rapid v1.3.0 // indirect
)

replace github.com/idsim/idsim/generators => ../../generators
