package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/lib/pq"
)

// openPostgres opens a pool to the PostgreSQL database of databaseURL. Unless the URL says
// otherwise, lib/pq sends a statement with its parameters in one round trip
// (binary_parameters=yes) instead of two, one to prepare it and one to run it; JSON
// values still go as text (see jsonAsText).
func openPostgres(databaseURL string) (*sql.DB, error) {
	c, err := postgresConnector(databaseURL)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(c), nil
}

func postgresConnector(databaseURL string) (jsonAsText, error) {
	dsn, err := withBinaryParameters(databaseURL)
	if err != nil {
		return jsonAsText{}, err
	}
	c, err := pq.NewConnector(dsn)
	if err != nil {
		return jsonAsText{}, err
	}
	return jsonAsText{c}, nil
}

// withBinaryParameters adds binary_parameters=yes to a postgres:// URL that does not set it.
func withBinaryParameters(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("parse database URL: %w", redactErr(err))
	}
	q := u.Query()
	if q.Has("binary_parameters") {
		return databaseURL, nil
	}
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// redactErr drops the URL from a url.Parse error: it may hold a password.
func redactErr(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// jsonAsText is a connector whose connections send JSON parameters as text. With
// binary_parameters, lib/pq sends every []byte in PostgreSQL's binary format, which is
// right for bytea but not for jsonb (its binary format starts with a version byte); ent
// passes JSON columns as json.RawMessage, which database/sql would otherwise turn into
// []byte.
type jsonAsText struct{ driver.Connector }

func (c jsonAsText) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := conn.(pqConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("open database: lib/pq connection without the expected methods (%T)", conn)
	}
	return jsonTextConn{pc}, nil
}

// pqConn is what a lib/pq connection implements and database/sql uses.
type pqConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.NamedValueChecker
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type jsonTextConn struct{ pqConn }

// CheckNamedValue sends a json.RawMessage as a string, and leaves the rest to lib/pq.
func (c jsonTextConn) CheckNamedValue(nv *driver.NamedValue) error {
	if j, ok := nv.Value.(json.RawMessage); ok {
		nv.Value = string(j)
		return nil
	}
	return c.pqConn.CheckNamedValue(nv)
}
