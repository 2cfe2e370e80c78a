package httpapi

// The Parquet format of the bulk exports: what notebooks and warehouses (DuckDB,
// pandas, Polars, Spark) read with its types, where CSV leaves every reader to guess
// them.

import (
	"fmt"
	"io"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/cop-territoriales/cop-api/service"
)

// parquetRowGroup is how many rows a row group of a Parquet export holds. The writer
// keeps a row group's compressed pages until it is written, so this bounds the memory
// of an export whatever its rows (about 0.5 MB for 10,000 actions, besides the
// writer's page buffers of 32 KiB per column); and readers skip or read row groups in
// parallel, which one group of 50,000 rows would prevent.
const parquetRowGroup = 10_000

// parquetContentType is the media type registered for Parquet.
const parquetContentType = "application/vnd.apache.parquet"

// Keys of the licence in a Parquet export's key-value metadata, as X-License and the
// Link header give it over HTTP: a file copied into a data lake keeps its licence.
const (
	parquetLicenceKey    = "license"
	parquetLicenceURLKey = "license_url"
)

// parquetNode is the Parquet type of an export's column: integers as INT32 or INT64,
// figures as DOUBLE (a column mixes units of different decimals), times as TIMESTAMP
// in UTC to the microsecond, lists as LIST of STRING (never null: empty), and OPTIONAL
// where the CSV may be empty.
func parquetNode(c service.ExportColumn) parquet.Node {
	var n parquet.Node
	switch c.Type {
	case service.TypeString:
		n = parquet.String()
	case service.TypeInt32:
		n = parquet.Int(32)
	case service.TypeInt64:
		n = parquet.Int(64)
	case service.TypeDouble:
		n = parquet.Leaf(parquet.DoubleType)
	case service.TypeBool:
		n = parquet.Leaf(parquet.BooleanType)
	case service.TypeTime:
		n = parquet.Timestamp(parquet.Microsecond)
	case service.TypeStrings:
		n = parquet.List(parquet.String())
	default:
		panic(fmt.Sprintf("parquet: column %s of unknown type %d", c.Name, c.Type))
	}
	if c.Optional {
		n = parquet.Optional(n)
	}
	return n
}

// parquetSchema is the schema of an export: its columns in the order of the CSV
// (parquet.Group alone would sort them by name).
func parquetSchema(dataset string, cols []service.ExportColumn) *parquet.Schema {
	g := parquet.Group{}
	for _, c := range cols {
		g[c.Name] = parquetNode(c)
	}
	byName := map[string]parquet.Field{}
	for _, f := range g.Fields() {
		byName[f.Name()] = f
	}
	o := orderedGroup{Group: g}
	for _, c := range cols {
		o.fields = append(o.fields, byName[c.Name])
	}
	return parquet.NewSchema(dataset, o)
}

// orderedGroup is a group whose fields come in a given order.
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

func (g orderedGroup) Fields() []parquet.Field { return g.fields }

// parquetEncoder writes an export's rows as a Parquet file, a row group every
// parquetRowGroup rows. Every column is one leaf column of the file (lists included),
// so a row's values are its columns' in order.
type parquetEncoder struct {
	cols []service.ExportColumn
	w    *parquet.GenericWriter[any]
	row  []parquet.Row
	n    int
}

func newParquetEncoder(out io.Writer, dataset string, cols []service.ExportColumn) *parquetEncoder {
	return &parquetEncoder{
		cols: cols,
		w: parquet.NewGenericWriter[any](out, parquetSchema(dataset, cols),
			parquet.KeyValueMetadata(parquetLicenceKey, service.ExportLicence),
			parquet.KeyValueMetadata(parquetLicenceURLKey, service.ExportLicenceURL),
			parquet.CreatedBy("cop-api", "", ""),
			// Snappy: cheap to write, and read by every Parquet reader.
			parquet.Compression(&parquet.Snappy),
			parquet.PageBufferSize(32<<10)),
		row: make([]parquet.Row, 1),
	}
}

func (e *parquetEncoder) write(row []any) error {
	r := e.row[0][:0]
	for i, v := range row {
		var err error
		if r, err = appendParquet(r, i, e.cols[i], v); err != nil {
			return err
		}
	}
	e.row[0] = r
	if _, err := e.w.WriteRows(e.row); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if e.n++; e.n%parquetRowGroup == 0 {
		if err := e.w.Flush(); err != nil {
			return fmt.Errorf("parquet: %w", err)
		}
	}
	return nil
}

// close writes the last row group and the footer.
func (e *parquetEncoder) close() error {
	if err := e.w.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// appendParquet appends to r the value v of the column c, the column index-th of the
// file. A value that does not match its column's type is an error, not a guess: the
// table of service.ExportSchema and the rows disagree.
func appendParquet(r parquet.Row, index int, c service.ExportColumn, v any) (parquet.Row, error) {
	def := 0
	if c.Optional {
		def = 1
	}
	if v == nil {
		if !c.Optional && c.Type != service.TypeStrings {
			return r, fmt.Errorf("parquet: column %s: null in a required column", c.Name)
		}
		return append(r, parquet.NullValue().Level(0, 0, index)), nil
	}
	var pv parquet.Value
	switch x := v.(type) {
	case string:
		switch c.Type {
		case service.TypeString:
			pv = parquet.ValueOf(x)
		case service.TypeTime:
			t, err := time.Parse(time.RFC3339, x)
			if err != nil {
				return r, fmt.Errorf("parquet: column %s: %w", c.Name, err)
			}
			pv = parquet.Int64Value(t.UnixMicro())
		}
	case time.Time:
		if c.Type == service.TypeTime {
			pv = parquet.Int64Value(x.UnixMicro())
		}
	case int:
		switch c.Type {
		case service.TypeInt32:
			pv = parquet.Int32Value(int32(x))
		case service.TypeInt64:
			pv = parquet.Int64Value(int64(x))
		}
	case int64:
		if c.Type == service.TypeInt64 {
			pv = parquet.Int64Value(x)
		}
	case float64:
		if c.Type == service.TypeDouble {
			pv = parquet.DoubleValue(x)
		}
	case bool:
		if c.Type == service.TypeBool {
			pv = parquet.BooleanValue(x)
		}
	case []string:
		if c.Type == service.TypeStrings {
			// LIST: one value per element, the first at repetition level 0; an empty
			// list is one null at definition level 0.
			if len(x) == 0 {
				return append(r, parquet.NullValue().Level(0, 0, index)), nil
			}
			for i, s := range x {
				rep := 1
				if i == 0 {
					rep = 0
				}
				r = append(r, parquet.ValueOf(s).Level(rep, def+1, index))
			}
			return r, nil
		}
	}
	if pv.IsNull() {
		return r, fmt.Errorf("parquet: column %s: a %T in a column of type %d", c.Name, v, c.Type)
	}
	return append(r, pv.Level(0, def, index)), nil
}
