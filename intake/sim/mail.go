package sim

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/onward-network/onward/notify/smtpfake"
	"github.com/onward-network/onward/templates"
)

// MailPage is the dev mail catcher's page at /dev/mail: every email Onward
// sent to the embedded SMTP server, newest first, with its text part and
// its links, so a developer can sign in by email and watch notifications
// arrive. Wired only by `onward dev`.
type MailPage struct {
	srv   *smtpfake.Server
	pages *template.Template
}

// NewMailPage shows what srv caught.
func NewMailPage(srv *smtpfake.Server) (*MailPage, error) {
	t, err := template.New("mail").ParseFS(templates.FS, "html/sim/mail.html")
	if err != nil {
		return nil, fmt.Errorf("load mail catcher page: %w", err)
	}
	return &MailPage{srv: srv, pages: t}, nil
}

// Routes serves the catcher.
func (p *MailPage) Routes(mux *http.ServeMux) {
	s := &Simulator{}
	mux.Handle("GET /dev/mail", s.headers(http.HandlerFunc(p.list)))
	mux.Handle("GET /dev/mail/{id}", s.headers(http.HandlerFunc(p.one)))
}

// caughtMail is one email as the page shows it.
type caughtMail struct {
	ID                 int
	To, Subject, Date  string
	Lines              []mailLine
	Unsubscribe, MsgID string
}

// mailLine is a line of the text part: words, or a link.
type mailLine struct {
	Text string
	Link string
}

var linkRe = regexp.MustCompile(`https?://\S+`)

func readMail(m smtpfake.Message) caughtMail {
	c := caughtMail{ID: m.ID, To: strings.Join(m.To, ", ")}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		c.Subject = "(does not parse)"
		return c
	}
	dec := new(mime.WordDecoder)
	c.Subject, _ = dec.DecodeHeader(msg.Header.Get("Subject"))
	c.Date, c.MsgID, c.Unsubscribe = msg.Header.Get("Date"), msg.Header.Get("Message-Id"), msg.Header.Get("List-Unsubscribe")
	text := ""
	if mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type")); err == nil && strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(msg.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); ct == "text/plain" {
				b, _ := io.ReadAll(part)
				text = string(b)
			}
		}
	}
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if u := linkRe.FindString(l); u != "" && strings.TrimSpace(l) == u {
			c.Lines = append(c.Lines, mailLine{Link: u})
			continue
		}
		if i := linkRe.FindStringIndex(l); i != nil {
			c.Lines = append(c.Lines, mailLine{Text: l[:i[0]]}, mailLine{Link: l[i[0]:i[1]]})
			continue
		}
		c.Lines = append(c.Lines, mailLine{Text: l})
	}
	return c
}

type mailPageData struct {
	Mails []caughtMail
	One   *caughtMail
}

func (p *MailPage) list(w http.ResponseWriter, r *http.Request) {
	msgs := p.srv.Messages()
	slices.Reverse(msgs)
	d := mailPageData{}
	for _, m := range msgs {
		d.Mails = append(d.Mails, readMail(m))
	}
	p.render(w, d)
}

func (p *MailPage) one(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	msgs := p.srv.Messages()
	if err != nil || id < 1 || id > len(msgs) {
		http.Error(w, "There is no email with that number.", http.StatusNotFound)
		return
	}
	c := readMail(msgs[id-1])
	p.render(w, mailPageData{One: &c})
}

func (p *MailPage) render(w http.ResponseWriter, d mailPageData) {
	var b bytes.Buffer
	if err := p.pages.ExecuteTemplate(&b, "mail.html", d); err != nil {
		http.Error(w, "could not show the mail", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}
