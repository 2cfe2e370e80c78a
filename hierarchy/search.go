package hierarchy

import (
	"strings"
	"unicode"
)

// foldTable maps the accented letters of French (and a few neighbours) to ASCII.
var foldTable = map[rune]string{
	'à': "a", 'â': "a", 'ä': "a", 'á': "a", 'ã': "a", 'å': "a",
	'ç': "c", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e",
	'î': "i", 'ï': "i", 'í': "i", 'ì': "i",
	'ô': "o", 'ö': "o", 'ó': "o", 'ò': "o", 'õ': "o",
	'ù': "u", 'û': "u", 'ü': "u", 'ú': "u", 'ÿ': "y", 'ñ': "n",
	'œ': "oe", 'æ': "ae", 'ß': "ss",
}

// abbreviations are the words that names and users write both ways; the short form is kept.
var abbreviations = map[string]string{"saint": "st", "sainte": "ste"}

// SearchWords splits a name or a query into normalised words: lower case, without
// accents, punctuation and apostrophes as separators, "saint" written "st".
// "L'Île-Saint-Denis" gives [l ile st denis].
func SearchWords(s string) []string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		case foldTable[r] != "":
			b.WriteString(foldTable[r])
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		if a, ok := abbreviations[w]; ok {
			words[i] = a
		}
	}
	return words
}

// SearchKey is the stored form of a name for text search: its words joined by single
// spaces, with a leading space so that " word" matches at the start of any word.
func SearchKey(name string) string {
	return " " + strings.Join(SearchWords(name), " ")
}
