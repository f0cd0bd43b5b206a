package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

// UnknownMember finds where in body the member is that dst's type has no
// field for, which encoding/json refuses naming only the member
// ("json: unknown field \"signed\""), not where it is: the path from the
// root, as member names and array indexes ("consent", "signed";
// "output", "0", "valueString"). It walks body in document order as the
// decoder does and so finds the member the decoder stopped at; ok is
// false when there is none. Names match fields as the decoder matches
// them, ignoring case. FHIR names the member from it, as FHIRPath.
func UnknownMember(body []byte, dst any) (path []string, ok bool) {
	issue, ok := walkMembers(body, dst, false)
	return issue.Path, ok
}

// A MemberIssue is a member of a body that names no field as written
// (MisnamedMember).
type MemberIssue struct {
	// Path is where the member is, from the root.
	Path []string
	// Want is the field the member names in another case ("reason" for
	// "Reason"), or "" when it names no field at all.
	Want string
	// Repeated says the member's name appeared earlier in the same
	// object: encoding/json would quietly keep the last one.
	Repeated bool
}

// MisnamedMember is UnknownMember reading names as they are written: it
// also stops at a member whose name matches a field only when case is
// ignored ("Reason" for "reason"), which encoding/json would quietly
// fill, and at a member named twice in one object ("to_agency" twice,
// of which encoding/json keeps the last; RFC 8259 §4 leaves such an
// object's meaning unpredictable, and I-JSON, RFC 7493 §2.3, forbids it).
// The JSON API's names are case-sensitive, as its document writes them,
// and each is given once, so it refuses all three alike (decodeBytes).
func MisnamedMember(body []byte, dst any) (MemberIssue, bool) {
	return walkMembers(body, dst, true)
}

// UnknownFieldName reads the member name out of encoding/json's refusal
// of a member its DisallowUnknownFields decoder has no field for
// ("json: unknown field \"signed\"" gives signed); ok is false for any
// other error, nil included. It is the one place that knows the
// decoder's wording.
func UnknownFieldName(err error) (name string, ok bool) {
	if err == nil {
		return "", false
	}
	quoted, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	if n, uerr := strconv.Unquote(quoted); uerr == nil {
		return n, true
	}
	return strings.Trim(quoted, `"`), true
}

// walkMembers is the one walk behind UnknownMember and MisnamedMember;
// exact says whether a member must be named exactly as its field, and
// once in its object.
func walkMembers(body []byte, dst any, exact bool) (MemberIssue, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := walker{dec: dec, exact: exact}
	path, err := w.in(reflect.TypeOf(dst), nil)
	if err != nil || path == nil {
		return MemberIssue{}, false
	}
	return MemberIssue{Path: path, Want: w.want, Repeated: w.repeated}, true
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// walker reads a body against a type, member by member (walkMembers).
type walker struct {
	dec   *json.Decoder
	exact bool   // names must match their field's exactly, case included
	want  string // the field a misnamed member was taken for, once found
	// repeated says the member found was named twice in its object.
	repeated bool
}

// in reads the next value from the decoder, as decoded into a t, and
// returns the path of the first member t has no field for (or, exact,
// names in another case), or nil. It stops at the first error: the body
// is then not JSON, which the decoder refuses as such.
func (w *walker) in(t reflect.Type, at []string) ([]string, error) {
	dec := w.dec
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t == rawMessageType || reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface {
		return nil, skipValue(dec)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	delim, isDelim := tok.(json.Delim)
	if !isDelim {
		return nil, nil
	}
	// each walks the members or elements of the object or array opened,
	// and reads its closing delimiter.
	// An object's names, when exact, to find one given twice.
	var seen map[string]bool
	if delim == '{' && w.exact {
		seen = map[string]bool{}
	}
	each := func(f func(name string, i int) ([]string, error)) ([]string, error) {
		for i := 0; dec.More(); i++ {
			name := ""
			if delim == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				name, _ = k.(string)
				if seen != nil && (t.Kind() == reflect.Struct || t.Kind() == reflect.Map) {
					if seen[name] {
						w.repeated = true
						return append(append([]string{}, at...), name), nil
					}
					seen[name] = true
				}
			}
			if p, err := f(name, i); p != nil || err != nil {
				return p, err
			}
		}
		_, err := dec.Token()
		return nil, err
	}
	switch {
	case delim == '{' && t.Kind() == reflect.Struct:
		fields := jsonFields(t)
		return each(func(name string, _ int) ([]string, error) {
			ft, field, known := fields.lookup(name)
			if !known || w.exact && field != name {
				if known {
					w.want = field
				}
				return append(append([]string{}, at...), name), nil
			}
			return w.in(ft, append(at, name))
		})
	case delim == '{' && t.Kind() == reflect.Map:
		return each(func(name string, _ int) ([]string, error) {
			return w.in(t.Elem(), append(at, name))
		})
	case delim == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		return each(func(_ string, i int) ([]string, error) {
			return w.in(t.Elem(), append(at, strconv.Itoa(i)))
		})
	}
	// Not the shape t wants: a type error, not an unknown member.
	return each(func(string, int) ([]string, error) { return nil, skipValue(dec) })
}

// skipValue reads past the next value.
func skipValue(dec *json.Decoder) error {
	var v json.RawMessage
	return dec.Decode(&v)
}

// fieldSet is a struct's JSON member names, with the types they decode
// into, as encoding/json matches them: by exact name, else ignoring case.
type fieldSet map[string]reflect.Type

// lookup finds the field a member fills and the field's own name: the
// member's, or when only case differs, the first such name in sort order.
func (f fieldSet) lookup(member string) (reflect.Type, string, bool) {
	if t, ok := f[member]; ok {
		return t, member, true
	}
	name := ""
	for n := range f {
		if strings.EqualFold(n, member) && (name == "" || n < name) {
			name = n
		}
	}
	return f[name], name, name != ""
}

// jsonFields lists a struct's members, those of embedded structs without
// a name of their own included, as encoding/json does.
func jsonFields(t reflect.Type) fieldSet {
	out := fieldSet{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for n, t := range jsonFields(ft) {
					if _, own := out[n]; !own {
						out[n] = t
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = ft
	}
	return out
}
