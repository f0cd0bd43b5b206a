package leaflet

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QR is a leaflet's short link as a QR code, ready for print.
type QR struct {
	URL    string
	PNG    []byte
	SVG    []byte
	Matrix [][]bool // modules including the quiet zone; Matrix[y][x] is dark
}

// leafletQRPixels is the PNG's width: large enough for a printer at 300
// dpi to make a 5 cm code without scaling up.
const leafletQRPixels = 600

// NewQR encodes url as a QR code with medium (15 %) error
// correction, which survives a folded or smudged leaflet, as PNG and SVG.
func NewQR(url string) (QR, error) {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return QR{}, fmt.Errorf("QR code for %s: %w", url, err)
	}
	png, err := q.PNG(leafletQRPixels)
	if err != nil {
		return QR{}, fmt.Errorf("QR code PNG: %w", err)
	}
	m := q.Bitmap()
	return QR{URL: url, PNG: png, SVG: qrSVG(m, url), Matrix: m}, nil
}

// qrSVG draws the module matrix as one path of unit squares, one run of
// dark modules per subpath, so print software scales it without blur.
func qrSVG(m [][]bool, title string) []byte {
	n := len(m)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%dmm" height="%dmm" shape-rendering="crispEdges" role="img">`, n, n, n, n)
	fmt.Fprintf(&b, `<title>QR code for %s</title>`, xmlEscape(title))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range m {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", start, y, x-start, x-start)
		}
	}
	b.WriteString(`"/></svg>` + "\n")
	return []byte(b.String())
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
