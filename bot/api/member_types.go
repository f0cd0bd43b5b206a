package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// A typeIssue is a member whose value is not of the type its field
// takes: a number for a name, a string for a list of needs.
type typeIssue struct {
	Path   []string // where the member is, from the root
	Detail string   // what it must be and what it is
}

// typeIssues lists every member of body whose value the field it names
// cannot take, as encoding/json would refuse it (which names only the
// first). dst is what body is decoded into; members matching no field
// are MisnamedMember's, and are left alone here. The list is in the
// order of the fields' paths, so the same body gets the same answer.
func typeIssues(body []byte, dst any) []typeIssue {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	var out []typeIssue
	walkTypes(reflect.TypeOf(dst), v, nil, &out)
	slices.SortStableFunc(out, func(a, b typeIssue) int { return strings.Compare(valueField(a.Path), valueField(b.Path)) })
	return out
}

// walkTypes checks v, decoded with UseNumber, against t at path.
func walkTypes(t reflect.Type, v any, path []string, out *[]typeIssue) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || t == nil || t == rawMessageType || reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface {
		return // null leaves a field as it is; the others read themselves
	}
	bad := func() {
		*out = append(*out, typeIssue{Path: slices.Clone(path),
			Detail: fmt.Sprintf("%s must be %s, not %s", valueField(path), typeWanted(t), valueGiven(v))})
	}
	switch v := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t)
			for name, mv := range v {
				if ft, _, known := fields.lookup(name); known {
					walkTypes(ft, mv, append(path, name), out)
				}
			}
		case reflect.Map:
			for name, mv := range v {
				walkTypes(t.Elem(), mv, append(path, name), out)
			}
		default:
			bad()
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			bad()
			return
		}
		for i, ev := range v {
			walkTypes(t.Elem(), ev, append(path, strconv.Itoa(i)), out)
		}
	case string:
		if t.Kind() != reflect.String {
			bad()
		}
	case bool:
		if t.Kind() != reflect.Bool {
			bad()
		}
	case json.Number:
		if !numberFits(t, v) {
			bad()
		}
	}
}

// valueField is fieldOf for the path of a value, which may end at an
// array's element (needs[0]).
func valueField(path []string) string {
	if n := len(path); n > 1 && strings.Trim(path[n-1], "0123456789") == "" {
		return fieldOf(path[:n-1]) + "[" + path[n-1] + "]"
	}
	return fieldOf(path)
}

// numberFits says whether n decodes into a t: a whole number within its
// range for an integer, any number for a float.
func numberFits(t reflect.Type, n json.Number) bool {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err := strconv.ParseInt(string(n), 10, t.Bits())
		return err == nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		_, err := strconv.ParseUint(string(n), 10, t.Bits())
		return err == nil
	case reflect.Float32, reflect.Float64:
		_, err := strconv.ParseFloat(string(n), t.Bits())
		return err == nil
	}
	return false
}

// typeWanted says what a member decoded into a t must be.
func typeWanted(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	}
	return jsonType(t.Kind().String())
}

// valueGiven names a value decoded with UseNumber as a refusal quotes
// it: "a string", "the number 42.5", "an array".
func valueGiven(v any) string {
	switch v := v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "the number " + string(v)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}
