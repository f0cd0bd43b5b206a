package bot

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// utf8BOM begins every CSV the staff web hands out. Excel, which most
// coordinators open a download in, reads a CSV without it in the
// Windows code page, so "Łukasz", "Gàidhlig" and "–" arrive garbled; with
// it, Excel reads UTF-8, and so do Go's csv reader after the first three
// bytes, Python's "utf-8-sig" and LibreOffice. (The command line's CSV
// goes to programs and has none.)
const utf8BOM = "\ufeff"

// serveCSV answers with a CSV download named fileName (".csv" added):
// the BOM, then what write writes. Written to a buffer first, so a
// failure half-way is an error page, not half a file.
func (b *Bot) serveCSV(w http.ResponseWriter, s *session, fileName string, write func(io.Writer) error) {
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	if err := write(&buf); err != nil {
		b.failed(w, s, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, strings.ReplaceAll(fileName, `"`, "")))
	_, _ = w.Write(buf.Bytes())
}
