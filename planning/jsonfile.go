package planning

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"unicode/utf8"
)

// jsonRecord is one element of a JSON array and the byte offset where it starts.
type jsonRecord struct {
	raw    json.RawMessage
	offset int64
}

// jsonRecords splits a JSON file holding an array into its elements, each with its
// offset. A file that is not valid JSON, ends early or holds anything but one array is
// refused with the line and column of the problem.
func jsonRecords(data []byte) ([]jsonRecord, error) {
	// Unmarshal checks the whole input first and reports the offset of a syntax error
	// from its start; a Decoder's offsets after an error are not reliable.
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("the file is empty")
	}
	var check []json.RawMessage
	if err := json.Unmarshal(data, &check); err != nil {
		return nil, jsonError(data, 0, err)
	}
	if check == nil {
		start := int64(len(data) - len(bytes.TrimLeft(data, " \t\r\n")))
		return nil, positioned(data, start, errors.New("not a JSON array of records"))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the opening bracket
		return nil, fmt.Errorf("not a JSON array of records: %w", err)
	}
	out := make([]jsonRecord, 0, len(check))
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("not a JSON array of records: %w", err)
		}
		out = append(out, jsonRecord{raw: raw, offset: dec.InputOffset() - int64(len(raw))})
	}
	return out, nil
}

// jsonError rewrites an error of encoding/json about a value starting at offset in data
// as a message with a line and column, in words that name neither Go types nor more
// than a character of the input.
func jsonError(data []byte, offset int64, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax) && offset+syntax.Offset >= int64(len(data)):
		return positioned(data, int64(len(data)), errors.New("the file ends inside the JSON value: it looks truncated"))
	case errors.As(err, &syntax):
		// Offset counts the bytes read, the offending one included.
		return positioned(data, offset+syntax.Offset-1, errors.New(syntax.Error()))
	case errors.As(err, &typ) && typ.Field == "" && offset == 0:
		return positioned(data, typ.Offset-1, fmt.Errorf("not a JSON array of records, but a JSON %s", typ.Value))
	case errors.As(err, &typ) && typ.Field == "":
		return positioned(data, offset+typ.Offset-1, fmt.Errorf("a JSON %s where an object is expected", typ.Value))
	case errors.As(err, &typ):
		// Offset is just past the start of the bad value.
		return positioned(data, offset+typ.Offset-1, fmt.Errorf("%s: a JSON %s where %s is expected", typ.Field, typ.Value, jsonKind(typ.Type)))
	}
	return err
}

// jsonKind names what a Go type expects in JSON.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "another value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// positioned prefixes err with the line and column (1-based, in characters) of the byte
// at offset in data.
func positioned(data []byte, offset int64, err error) error {
	line, column := position(data, offset)
	return fmt.Errorf("line %d, column %d: %w", line, column, err)
}

// position gives the line and column (1-based, the column in characters) of the byte at
// offset in data; an offset past the end is the position just after the last byte.
func position(data []byte, offset int64) (line, column int) {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return 1 + bytes.Count(before, []byte{'\n'}), 1 + utf8.RuneCount(before[lineStart:])
}
