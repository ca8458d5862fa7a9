package rangebatch

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SQL allocates ranges from a row of a SQL table, one atomic statement
// per range:
//
//	UPDATE idsim_sequences SET next = next + n WHERE name = ? RETURNING next - n
//
// which SQLite (3.35 and later) and PostgreSQL both run as a single
// atomic read-modify-write, whatever the isolation level. Create the
// table and row with Init.
type SQL struct {
	DB *sql.DB
	// Name is the sequence's row.
	Name string
	// Postgres selects $1-style placeholders; otherwise ?.
	Postgres bool
}

// Init creates the sequences table if needed and the sequence's row
// starting at first if it does not exist.
func (s *SQL) Init(ctx context.Context, first uint64) error {
	if _, err := s.DB.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS idsim_sequences (name TEXT PRIMARY KEY, next BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("rangebatch: creating the sequences table: %w", err)
	}
	q := `INSERT INTO idsim_sequences (name, next) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`
	if s.Postgres {
		q = `INSERT INTO idsim_sequences (name, next) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`
	}
	if _, err := s.DB.ExecContext(ctx, q, s.Name, int64(first)); err != nil {
		return fmt.Errorf("rangebatch: creating sequence %s: %w", s.Name, err)
	}
	return nil
}

// Allocate takes the next n values.
func (s *SQL) Allocate(ctx context.Context, n uint64) (Range, error) {
	if n == 0 || n > 1<<40 {
		return Range{}, fmt.Errorf("rangebatch: cannot allocate %d values", n)
	}
	q := `UPDATE idsim_sequences SET next = next + ? WHERE name = ? RETURNING next - ?`
	if s.Postgres {
		q = `UPDATE idsim_sequences SET next = next + $1 WHERE name = $2 RETURNING next - $1`
	}
	args := []any{int64(n), s.Name, int64(n)}
	if s.Postgres {
		args = args[:2]
	}
	var lo int64
	if err := s.DB.QueryRowContext(ctx, q, args...).Scan(&lo); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Range{}, fmt.Errorf("rangebatch: no sequence %q (call Init)", s.Name)
		}
		return Range{}, fmt.Errorf("rangebatch: allocating from %s: %w", s.Name, err)
	}
	return Range{Lo: uint64(lo), Hi: uint64(lo) + n}, nil
}
