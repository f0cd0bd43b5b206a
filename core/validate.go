package core

import (
	"errors"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/locales/en"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	en_translations "github.com/go-playground/validator/v10/translations/en"
)

// validation is one validator with English messages that name fields by
// their `label` tag, shared by every input core accepts.
type validation struct {
	v     *validator.Validate
	trans ut.Translator
}

var (
	validationOnce sync.Once
	shared         validation
)

func validatorInstance() validation {
	validationOnce.Do(func() {
		v := validator.New(validator.WithRequiredStructEnabled())
		v.RegisterTagNameFunc(func(f reflect.StructField) string {
			if l := f.Tag.Get("label"); l != "" {
				return l
			}
			return strings.ToLower(f.Name)
		})
		english := en.New()
		trans, _ := ut.New(english, english).GetTranslator("en")
		if err := en_translations.RegisterDefaultTranslations(v, trans); err != nil {
			panic(err)
		}
		custom := []struct {
			tag, msg string
			fn       validator.Func
		}{
			{"need", "{0} must be one of: " + joinNeeds(Needs), func(fl validator.FieldLevel) bool {
				return Need(fl.Field().String()).Valid()
			}},
			{"ukpostcode", "{0} must be a full UK postcode, like KY1 1AB", func(fl validator.FieldLevel) bool {
				_, err := ParsePostcode(fl.Field().String())
				return err == nil
			}},
			{"district", "{0} must be the first part of a UK postcode, like KY1", func(fl validator.FieldLevel) bool {
				_, err := ParseDistrict(fl.Field().String())
				return err == nil
			}},
			{"phone", "{0} must be a phone number, like 07700 900123", func(fl validator.FieldLevel) bool {
				_, err := ParsePhone(fl.Field().String())
				return err == nil
			}},
			{"contactphone", "{0} must be a phone number people can call, like 0800 000 0101 or 01592 000000", func(fl validator.FieldLevel) bool {
				return validContactPhone(fl.Field().String())
			}},
			// notblank is "required" for words that must name something
			// (a client's name, who witnessed a consent): spaces alone name
			// nobody, so they are refused as missing, in the same words.
			{"notblank", "{0} is a required field", func(fl validator.FieldLevel) bool {
				return strings.TrimSpace(fl.Field().String()) != ""
			}},
			{"notcontrol", "{0} must not contain control characters", func(fl validator.FieldLevel) bool {
				return !strings.ContainsFunc(fl.Field().String(), func(r rune) bool {
					return r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f
				})
			}},
		}
		for _, c := range custom {
			if err := v.RegisterValidation(c.tag, c.fn); err != nil {
				panic(err)
			}
			msg := c.msg
			_ = v.RegisterTranslation(c.tag, trans, func(ut ut.Translator) error {
				return ut.Add(c.tag, msg, true)
			}, func(ut ut.Translator, fe validator.FieldError) string {
				t, _ := ut.T(fe.Tag(), fe.Field())
				return t
			})
		}
		shared = validation{v: v, trans: trans}
	})
	return shared
}

// validate checks s against its `validate` tags and returns a
// *ValidationError naming each bad field in plain words.
func validate(s any) error {
	vi := validatorInstance()
	err := vi.v.Struct(s)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return err
	}
	out := &ValidationError{}
	for _, fe := range ves {
		out.Fields = append(out.Fields, FieldError{Field: fieldPath(fe), Message: fe.Translate(vi.trans)})
	}
	return out
}

// fieldPath is the dotted label path without the top-level struct name,
// e.g. "client.postcode". A member whose label already carries its
// parent's (the partner consent's "consent.witnessed_by", inside
// "consent") is named once: "consent.witnessed_by".
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		ns = rest
	}
	if parent, rest, ok := strings.Cut(ns, "."); ok && strings.HasPrefix(rest, parent+".") {
		ns = rest
	}
	return ns
}

// mergeValidation joins field errors from several checks into one error.
func mergeValidation(errs ...error) error {
	out := &ValidationError{}
	for _, err := range errs {
		var ve *ValidationError
		if errors.As(err, &ve) {
			out.Fields = append(out.Fields, ve.Fields...)
		} else if err != nil {
			return err
		}
	}
	if len(out.Fields) == 0 {
		return nil
	}
	return out
}
