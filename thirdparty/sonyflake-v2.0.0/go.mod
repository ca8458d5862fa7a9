module github.com/idsim/idsim/thirdparty/sonyflake-v2.0.0

go 1.26.0

require (
	github.com/idsim/idsim/generators v0.0.0-00010101000000-000000000000
	github.com/sony/sonyflake/v2 v2.0.0
)

require pgregory.net/rapid v1.3.0 // indirect

replace github.com/idsim/idsim/generators => ../../generators
