module github.com/idsim/idsim/generators/compare

go 1.26.0

replace github.com/idsim/idsim/generators => ../

require (
	github.com/bwmarrin/snowflake v0.3.0
	github.com/google/uuid v1.6.0
	github.com/idsim/idsim/generators v0.0.0-00010101000000-000000000000
	github.com/oklog/ulid/v2 v2.1.2
	github.com/sony/sonyflake v1.2.0
)
