package main

import (
	"testing"

	"github.com/vektah/gqlparser/v2"

	"github.com/cop-territoriales/cop-api/graph"
)

// TestWarmUpOperationsAreValid: the warm-up's reads are valid against the schema. A
// warm-up read that fails is only logged (at debug): without this test, a change of the
// schema would turn the warm-up off unseen.
func TestWarmUpOperationsAreValid(t *testing.T) {
	schema := graph.NewSchema(nil, nil).Schema()
	for _, q := range warmUpOperations {
		if _, err := gqlparser.LoadQueryWithRules(schema, q, nil); err != nil {
			t.Errorf("warm-up operation %s: %v", q, err)
		}
	}
}
