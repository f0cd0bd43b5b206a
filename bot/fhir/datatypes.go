package fhir

import (
	"regexp"
	"time"
)

// R4's date, dateTime and instant, as the specification's regular
// expressions (datatypes.html#primitive) give them: a partial date
// (2026, 2026-03) is a date; a time needs a full date and a zone.
var (
	dateRE     = regexp.MustCompile(`^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$`)
	dateTimeRE = regexp.MustCompile(`^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$`)
	instantRE  = regexp.MustCompile(`^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$`)
)

// validDate, validDateTime and validInstant report whether v is an R4
// value of that type. The pattern lets through days no month has
// (2026-02-30), so a full date is also read as a calendar date.
func validDate(v string) bool     { return dateRE.MatchString(v) && realDay(v) }
func validDateTime(v string) bool { return dateTimeRE.MatchString(v) && realDay(v) }
func validInstant(v string) bool  { return instantRE.MatchString(v) && realDay(v) }

func realDay(v string) bool {
	if len(v) < len(time.DateOnly) {
		return true
	}
	_, err := time.Parse(time.DateOnly, v[:len(time.DateOnly)])
	return err == nil
}
