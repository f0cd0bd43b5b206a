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
// false when there is none. Both the JSON API and FHIR name the member
// from it, as a JSON pointer and as FHIRPath.
func UnknownMember(body []byte, dst any) (path []string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	path, err := unknownIn(dec, reflect.TypeOf(dst), nil)
	return path, err == nil && path != nil
}

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// unknownIn reads the next value from dec, as decoded into a t, and
// returns the path of the first member t has no field for, or nil. It
// stops at the first error: the body is then not JSON, which the
// decoder refuses as such.
func unknownIn(dec *json.Decoder, t reflect.Type, at []string) ([]string, error) {
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
	each := func(f func(name string, i int) ([]string, error)) ([]string, error) {
		for i := 0; dec.More(); i++ {
			name := ""
			if delim == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				name, _ = k.(string)
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
			ft, known := fields.lookup(name)
			if !known {
				return append(append([]string{}, at...), name), nil
			}
			return unknownIn(dec, ft, append(at, name))
		})
	case delim == '{' && t.Kind() == reflect.Map:
		return each(func(name string, _ int) ([]string, error) {
			return unknownIn(dec, t.Elem(), append(at, name))
		})
	case delim == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		return each(func(_ string, i int) ([]string, error) {
			return unknownIn(dec, t.Elem(), append(at, strconv.Itoa(i)))
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

func (f fieldSet) lookup(name string) (reflect.Type, bool) {
	if t, ok := f[name]; ok {
		return t, true
	}
	for n, t := range f {
		if strings.EqualFold(n, name) {
			return t, true
		}
	}
	return nil, false
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
