package bot

import (
	"encoding/csv"
	"strings"
	"testing"
)

// readDownload reads a CSV the staff web handed out: it must begin with
// the byte order mark Excel needs to read it as UTF-8.
func readDownload(t *testing.T, body string) ([][]string, error) {
	t.Helper()
	rest, ok := strings.CutPrefix(body, utf8BOM)
	if !ok {
		t.Errorf("a CSV download without the UTF-8 byte order mark (Excel would read it in the Windows code page): %.40q", body)
	}
	return csv.NewReader(strings.NewReader(rest)).ReadAll()
}
