package core

import (
	"reflect"
	"testing"
)

func TestParseOpeningHours(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text string
		want []Schedule
	}{
		{"Monday to Friday 9.30am to 4pm; drop-in Tuesday and Thursday mornings", []Schedule{
			{ByDay: "MO,TU,WE,TH,FR", OpensAt: "09:30", ClosesAt: "16:00"},
			{Description: "drop-in Tuesday and Thursday mornings"}}},
		{"Monday to Thursday 9am to 4.30pm, Friday 9am to 1pm", []Schedule{
			{ByDay: "MO,TU,WE,TH", OpensAt: "09:00", ClosesAt: "16:30"},
			{ByDay: "FR", OpensAt: "09:00", ClosesAt: "13:00"}}},
		{"Monday, Wednesday and Friday 11am to 2pm", []Schedule{{ByDay: "MO,WE,FR", OpensAt: "11:00", ClosesAt: "14:00"}}},
		{"Monday to Friday 12 noon to 3pm", []Schedule{{ByDay: "MO,TU,WE,TH,FR", OpensAt: "12:00", ClosesAt: "15:00"}}},
		{"Monday to Friday, 9am to 5pm", []Schedule{{ByDay: "MO,TU,WE,TH,FR", OpensAt: "09:00", ClosesAt: "17:00"}}},
		{"Wednesday 10am to 3pm, by appointment", []Schedule{{ByDay: "WE", OpensAt: "10:00", ClosesAt: "15:00"}, {Description: "by appointment"}}},
		{"By appointment, Monday to Friday", []Schedule{{Description: "By appointment, Monday to Friday"}}},
		{"", []Schedule{}},
	}
	for _, c := range cases {
		if got := ParseOpeningHours(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseOpeningHours(%q) = %+v, want %+v", c.text, got, c.want)
		}
	}
	if got := ScheduleText(ParseOpeningHours("Monday, Wednesday and Friday 11am to 2pm")); got != "Monday, Wednesday and Friday 11:00 to 14:00" {
		t.Errorf("ScheduleText = %q", got)
	}
	if !OpenAt(ParseOpeningHours("Monday to Friday 9am to 5pm"), "WE", "16:59") || OpenAt(ParseOpeningHours("Monday to Friday 9am to 5pm"), "SA", "12:00") {
		t.Error("OpenAt is wrong")
	}
}

func FuzzParseOpeningHours(f *testing.F) {
	f.Add("Monday to Friday 9.30am to 4pm; drop-in Tuesday")
	f.Fuzz(func(t *testing.T, s string) {
		for _, sc := range ParseOpeningHours(s) {
			if sc.ByDay != "" && sc.OpensAt >= sc.ClosesAt {
				t.Fatalf("%q: opens %s not before closes %s", s, sc.OpensAt, sc.ClosesAt)
			}
		}
	})
}

// Hours the parser cannot read as days and times are told apart from
// hours it read, with or without a note beside them.
func TestOpeningHoursUnread(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text string
		want bool
	}{
		{"Tuesdays", true},
		{"Mon–Fri 9–5", true},
		{"Monday 9am to 12pm, 1pm to 5pm", true}, // the afternoon session is not read
		{"Drop-in, ask at reception", true},
		{"Mon–Fri 9am–5pm; Sat 10am–1pm", false}, // the notice's own example
		{"Monday to Friday 9.30am to 4pm; drop-in Tuesday and Thursday mornings", false},
		{"Wednesday 10am to 3pm, by appointment", false},
		{"", false},
	} {
		if got := OpeningHoursUnread(c.text); got != c.want {
			t.Errorf("OpeningHoursUnread(%q) = %v, want %v (read as %+v)", c.text, got, c.want, ParseOpeningHours(c.text))
		}
	}
}
