module github.com/idsim/idsim

go 1.26.0

require (
	github.com/bwmarrin/snowflake v0.3.0
	github.com/goccy/go-yaml v1.19.2
	github.com/google/uuid v1.6.0
	github.com/oklog/ulid/v2 v2.1.2
	github.com/sony/sonyflake v1.2.0
	pgregory.net/rapid v1.3.0
)
