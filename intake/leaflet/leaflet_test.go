package leaflet

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/onward-network/onward/core"
	"github.com/onward-network/onward/core/coretest"
)

func TestCreateLeaflet(t *testing.T) {
	t.Parallel()
	env := coretest.NewEnv(t)
	ctx := context.Background()
	// The same random bytes twice: the second code collides and is redrawn.
	rnd := bytes.NewReader(append(bytes.Repeat([]byte{7}, CodeLength*2), []byte{1, 2, 3, 4, 5, 6}...))
	a, err := Create(ctx, env.Pool, env.Clock.Now(), rnd, "  GP surgeries spring 2026 ", "ky1", "")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Create(ctx, env.Pool, env.Clock.Now(), rnd, "Food bank", "Fife", "")
	if err != nil {
		t.Fatal(err)
	}
	if a.Code == b.Code || len(a.Code) != CodeLength || a.Campaign != "GP surgeries spring 2026" || a.Area != "KY1" || b.Area != "Fife" {
		t.Errorf("leaflets %+v and %+v", a, b)
	}
	got, err := ByCode(ctx, env.Pool, " "+strings.ToUpper(a.Code)+" ")
	if err != nil || got.ID != a.ID {
		t.Errorf("look-up in capitals: %+v %v", got, err)
	}
	for _, code := range []string{"zzzzzz", "ab", "has space", strings.Repeat("a", 17), "<b>"} {
		if _, err := ByCode(ctx, env.Pool, code); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("ByCode(%q) = %v, want not found", code, err)
		}
	}
	ls, err := List(ctx, env.Pool, 10)
	if err != nil || len(ls) != 2 {
		t.Errorf("list: %d leaflets, %v", len(ls), err)
	}
	for _, bad := range []struct{ name, area string }{{"", "KY1"}, {"two\nlines", ""}, {strings.Repeat("n", 201), ""}, {"ok", strings.Repeat("a", 101)}} {
		var ve *core.ValidationError
		if _, err := Create(ctx, env.Pool, env.Clock.Now(), rnd, bad.name, bad.area, ""); !errors.As(err, &ve) {
			t.Errorf("Create(%q, %q) = %v, want a validation error", bad.name, bad.area, err)
		}
	}
}

func TestParseLeafletCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"abc": "abc", " K7M2QP ": "k7m2qp", "ab": "", "a-b-c": "", "ünï": "", strings.Repeat("9", 16): strings.Repeat("9", 16)} {
		got, ok := ParseCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	// A link copied out of a sentence, a message or a web page brings the
	// sentence's punctuation, or an invisible character, with it.
	for in, want := range map[string]string{"school.": "school", "school,": "school", "(k7m2qp)": "k7m2qp",
		"k7m2qp!": "k7m2qp", "k7m2qp\u200b": "k7m2qp", "\u200ek7m2qp": "k7m2qp", "k7m2qp\u00a0": "k7m2qp", "ab.": "", "a.b.c": ""} {
		got, ok := ParseCode(in)
		if got != want || ok != (want != "") {
			t.Errorf("ParseCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	code, err := NewCode(bytes.NewReader(bytes.Repeat([]byte{255, 0, 31}, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := ParseCode(code); !ok || c != code || strings.ContainsAny(code, "01ilou") {
		t.Errorf("new code %q is not a clean code", code)
	}
}

func FuzzParseLeafletCode(f *testing.F) {
	for _, s := range []string{"k7m2qp", "ABC", "a b", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := ParseCode(s)
		if !ok {
			return
		}
		if len(c) < 3 || len(c) > 16 || strings.ToLower(c) != c || strings.Trim(c, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			t.Errorf("ParseCode(%q) = %q breaks the database's rule", s, c)
		}
	})
}

// The PNG and the SVG draw exactly the QR module matrix.
func TestLeafletQR(t *testing.T) {
	t.Parallel()
	q, err := NewQR(URL("https://onward.example/", "k7m2qp"))
	if err != nil {
		t.Fatal(err)
	}
	if q.URL != "https://onward.example/r/k7m2qp" {
		t.Errorf("URL %q", q.URL)
	}
	n := len(q.Matrix)
	img, err := png.Decode(bytes.NewReader(q.PNG))
	if err != nil {
		t.Fatal(err)
	}
	size := img.Bounds().Dx()
	if size != img.Bounds().Dy() || size < n {
		t.Fatalf("PNG %v for %d modules", img.Bounds(), n)
	}
	dark := 0
	for y := range n {
		for x := range n {
			// Sample the middle of each module.
			px, py := (2*x+1)*size/(2*n), (2*y+1)*size/(2*n)
			r, _, _, _ := img.At(px, py).RGBA()
			if (r < 0x8000) != q.Matrix[y][x] {
				t.Fatalf("PNG module (%d,%d) does not match the matrix", x, y)
			}
			if q.Matrix[y][x] {
				dark++
			}
		}
	}
	svg := string(q.SVG)
	if !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg"`) || !strings.Contains(svg, "https://onward.example/r/k7m2qp") {
		t.Errorf("SVG head: %.200s", svg)
	}
	// Count the dark modules the path draws.
	drawn := 0
	path := between(svg, `fill="#000" d="`, `"`)
	for _, run := range strings.Split(path, "M")[1:] {
		var x, y, w int
		if _, err := fmt.Sscanf(run, "%d %dh%d", &x, &y, &w); err != nil {
			t.Fatalf("SVG run %q: %v", run, err)
		}
		for i := x; i < x+w; i++ {
			if !q.Matrix[y][i] {
				t.Fatalf("SVG draws a light module at (%d,%d)", i, y)
			}
		}
		drawn += w
	}
	if drawn != dark {
		t.Errorf("SVG draws %d modules, the matrix has %d dark", drawn, dark)
	}
}

// between returns the text after start up to end, or "".
func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	out, _, _ := strings.Cut(rest, end)
	return out
}
