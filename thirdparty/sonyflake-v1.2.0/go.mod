module github.com/idsim/idsim/thirdparty/sonyflake-v1.2.0

go 1.26.0

require github.com/idsim/idsim/generators v0.0.0-00010101000000-000000000000

require (
	github.com/sony/sonyflake v1.2.0
	pgregory.net/rapid v1.3.0 // indirect
)

replace github.com/idsim/idsim/generators => ../../generators
