// Package model holds the Go types of the golden test's schema.
package model

import (
	"fmt"
	"io"
	"strconv"
)

type Shelf struct {
	ID     string
	Name   string
	Color  Color
	Note   *string
	Books  []*Book
	Colors []Color
}

type Book struct {
	Title string
}

type Color string

const (
	ColorRed   Color = "RED"
	ColorGreen Color = "GREEN"
)

func (c Color) MarshalGQL(w io.Writer) { io.WriteString(w, strconv.Quote(string(c))) }

func (c *Color) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || (Color(s) != ColorRed && Color(s) != ColorGreen) {
		return fmt.Errorf("not a Color: %v", v)
	}
	*c = Color(s)
	return nil
}
