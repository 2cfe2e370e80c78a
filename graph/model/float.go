package model

import (
	"context"
	"errors"
	"io"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalFloatContext writes a Float in plain decimal notation, as short as exactly
// represents it: 254104033365 rather than gqlgen's 2.54104033365e+11. With the service's
// rounding (planning.Round), figures read the same on every database and in every
// format.
func MarshalFloatContext(f float64) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(ctx context.Context, w io.Writer) error {
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return errors.New("cannot marshal an infinite or NaN float")
		}
		_, err := io.WriteString(w, strconv.FormatFloat(f, 'f', -1, 64))
		return err
	})
}

// UnmarshalFloatContext reads a Float as gqlgen does.
func UnmarshalFloatContext(ctx context.Context, v any) (float64, error) {
	return graphql.UnmarshalFloatContext(ctx, v)
}
