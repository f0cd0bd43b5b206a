package fhir

import (
	"slices"
	"strconv"
	"strings"
)

// bundleMeaning is what of a transaction Bundle, decoded, makes it the
// request it is, so a FHIR client that builds the same Bundle again to
// retry it sends the same request: Bundle.timestamp and every meta
// element (when and how the client serialised it) are left out, and each
// urn:uuid: identifier, which a client may mint afresh for every
// serialisation, is a name only: it is renamed to its order of first
// appearance, walking objects' keys sorted and arrays in order. A Bundle
// renamed consistently is the same Bundle; one whose references point
// elsewhere is not.
func bundleMeaning(doc any) any {
	if m, ok := doc.(map[string]any); ok && m["resourceType"] == "Bundle" {
		delete(m, "timestamp")
	}
	names := map[string]string{}
	return renameUUIDs(doc, names)
}

// renameUUIDs leaves meta out of v and renames its urn:uuid: strings by
// names, adding to names each one met first.
func renameUUIDs(v any, names map[string]string) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "meta")
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v[k] = renameUUIDs(v[k], names)
		}
		return v
	case []any:
		for i := range v {
			v[i] = renameUUIDs(v[i], names)
		}
		return v
	case string:
		if !strings.HasPrefix(v, uuidPrefix) {
			return v
		}
		name, ok := names[v]
		if !ok {
			name = uuidPrefix + strconv.Itoa(len(names)+1)
			names[v] = name
		}
		return name
	}
	return v
}

// uuidPrefix begins the identifiers a Bundle's entries name each other by.
const uuidPrefix = "urn:uuid:"
