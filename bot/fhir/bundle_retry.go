package fhir

import (
	"slices"
	"strconv"
	"strings"
)

// bundleMeaning is what of a transaction Bundle, decoded, makes it the
// request it is, so a FHIR client that builds the same Bundle again to
// retry it sends the same request. Left out: Bundle.id, Bundle.timestamp
// and every meta element (how and when the client serialised it), and
// the id of a resource an entry creates (a server ignores it, FHIR R4
// 3.1.0.2.1). Each entry is named by its resource's type and its place
// among the entries of that type ("Patient/1"), its fullUrl and every
// reference to it (the fullUrl, or Type/id) renamed so, since a client
// may mint them afresh for every serialisation; and the entries are
// compared in that order, not the order sent. Anything else, an
// identifier's value included (a case id may well be a urn:uuid), is
// compared as it is: a Bundle that points elsewhere, or says something
// else, is another request.
func bundleMeaning(doc any) any {
	b, ok := doc.(map[string]any)
	if !ok || b["resourceType"] != "Bundle" {
		return doc
	}
	delete(b, "id")
	delete(b, "timestamp")
	entries, _ := b["entry"].([]any)
	names := map[string]string{}
	type named struct {
		name  string
		entry any
	}
	var list []named
	count := map[string]int{}
	for _, e := range entries {
		em, _ := e.(map[string]any)
		res, _ := em["resource"].(map[string]any)
		typ, _ := res["resourceType"].(string)
		count[typ]++
		name := entryName + typ + "/" + strconv.Itoa(count[typ])
		if full, _ := em["fullUrl"].(string); full != "" {
			names[full] = name
		}
		if req, _ := em["request"].(map[string]any); req != nil && strings.EqualFold(stringOf(req["method"]), "POST") {
			if id, _ := res["id"].(string); id != "" {
				names[typ+"/"+id] = name
				delete(res, "id")
			}
		}
		list = append(list, named{name, e})
	}
	if entries != nil {
		slices.SortStableFunc(list, func(a, b named) int { return strings.Compare(a.name, b.name) })
		for i, n := range list {
			entries[i] = n.entry
		}
	}
	return renameEntries(b, names)
}

// entryName begins the names bundleMeaning gives a Bundle's entries.
const entryName = "entry:"

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// renameEntries leaves meta out of v and puts each string names has (an
// entry's fullUrl, or a reference to it) by its entry's name.
func renameEntries(v any, names map[string]string) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "meta")
		for k := range v {
			v[k] = renameEntries(v[k], names)
		}
		return v
	case []any:
		for i := range v {
			v[i] = renameEntries(v[i], names)
		}
		return v
	case string:
		if name, ok := names[v]; ok {
			return name
		}
	}
	return v
}
