package compare

import (
	"testing"
	"time"

	bwmarrin "github.com/bwmarrin/snowflake"
	googleuuid "github.com/google/uuid"
	"github.com/idsim/idsim/generators/clock"
	"github.com/idsim/idsim/generators/entropy"
	"github.com/idsim/idsim/generators/snowflake"
	"github.com/idsim/idsim/generators/ulid"
	"github.com/idsim/idsim/generators/uuid"
	oklogulid "github.com/oklog/ulid/v2"
	"github.com/sony/sonyflake"
)

// saturated reports the rate reached and its fraction of a ceiling.
func saturated(b *testing.B, ceiling float64) {
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "ids/s")
	b.ReportMetric(rate/ceiling, "ceiling-fraction")
}

// Twitter's layout: 41 bits of ms, 10 node bits, 12 sequence bits; both
// bwmarrin/snowflake's defaults and idsim's twitter preset.
func BenchmarkSnowflakeTwitter(b *testing.B) {
	ceiling := snowflake.Twitter.CeilingPerWorker()
	b.Run("idsim", func(b *testing.B) {
		g, err := snowflake.New(snowflake.Config{Layout: snowflake.Twitter, Worker: 1}, clock.System{})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if _, err := g.Next(); err != nil {
				b.Fatal(err)
			}
		}
		saturated(b, ceiling)
	})
	b.Run("bwmarrin", func(b *testing.B) {
		n, err := bwmarrin.NewNode(1)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			n.Generate()
		}
		saturated(b, ceiling)
	})
}

// Sonyflake's layout: 39 bits of 10 ms, 8 sequence bits, 16 machine bits.
func BenchmarkSonyflake(b *testing.B) {
	ceiling := snowflake.Sonyflake.CeilingPerWorker()
	b.Run("idsim", func(b *testing.B) {
		g, err := snowflake.New(snowflake.Config{Layout: snowflake.Sonyflake, Worker: 1, OnBackward: snowflake.Borrow}, clock.System{})
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < b.N; i++ {
			if _, err := g.Next(); err != nil {
				b.Fatal(err)
			}
		}
		saturated(b, ceiling)
	})
	b.Run("sony", func(b *testing.B) {
		sf := sonyflake.NewSonyflake(sonyflake.Settings{MachineID: func() (uint16, error) { return 1, nil }})
		if sf == nil {
			b.Fatal("sonyflake not created")
		}
		for i := 0; i < b.N; i++ {
			if _, err := sf.NextID(); err != nil {
				b.Fatal(err)
			}
		}
		saturated(b, ceiling)
	})
}

func BenchmarkUUIDv7(b *testing.B) {
	b.Run("idsim", func(b *testing.B) {
		g, _ := uuid.NewV7(uuid.V7Config{}, clock.System{}, entropy.Secure())
		for i := 0; i < b.N; i++ {
			g.Next()
		}
	})
	b.Run("google", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			googleuuid.NewV7()
		}
	})
}

func BenchmarkUUIDv4(b *testing.B) {
	b.Run("idsim", func(b *testing.B) {
		g, _ := uuid.NewV4(uuid.V4Config{}, entropy.Secure())
		for i := 0; i < b.N; i++ {
			g.Next()
		}
	})
	b.Run("google", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			googleuuid.New()
		}
	})
}

func BenchmarkULID(b *testing.B) {
	b.Run("idsim", func(b *testing.B) {
		g, _ := ulid.New(ulid.Config{}, clock.System{}, entropy.Secure())
		for i := 0; i < b.N; i++ {
			g.Next()
		}
	})
	b.Run("oklog", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			oklogulid.Make()
		}
	})
}

// The generators agree with the libraries on what they encode.
func TestSameEncodings(t *testing.T) {
	g, _ := snowflake.New(snowflake.Config{Layout: snowflake.Twitter, Worker: 1}, clock.System{})
	id, _ := g.Next()
	if p := bwmarrin.ParseInt64(int64(id)); p.Node() != 1 || p.Step() != 0 || time.Since(time.UnixMilli(p.Time())) > time.Minute {
		t.Errorf("bwmarrin reads node %d step %d time %v", p.Node(), p.Step(), time.UnixMilli(p.Time()))
	}
	v7, _ := uuid.NewV7(uuid.V7Config{}, clock.System{}, entropy.Secure())
	u, _ := v7.Next()
	gu, err := googleuuid.Parse(u.String())
	if err != nil || gu.Version() != 7 {
		t.Errorf("google/uuid reads %v as version %d", u, gu.Version())
	}
	if sec, _ := gu.Time().UnixTime(); time.Since(time.Unix(sec, 0)) > time.Minute {
		t.Errorf("google/uuid reads time %v", time.Unix(sec, 0))
	}
	lg, _ := ulid.New(ulid.Config{}, clock.System{}, entropy.Secure())
	l, _ := lg.Next()
	ol, err := oklogulid.Parse(l.String())
	if err != nil || ol.Time() != l.Timestamp() {
		t.Errorf("oklog/ulid reads %v: %v, time %d want %d", l, err, ol.Time(), l.Timestamp())
	}
}
