package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// simDir says who wrote one line of a simulator thread.
type simDir string

const (
	simIn    simDir = "in"    // typed on the page, as the client
	simReply simDir = "reply" // the webhook's TwiML answer
	simOut   simDir = "out"   // sent later by notify through the fake API
	simNote  simDir = "note"  // what the simulator saw (an empty reply, an error)
)

// simEntry is one line of a simulator phone's thread.
type simEntry struct {
	Dir      simDir    `json:"dir"`
	Body     string    `json:"body"`
	Pictures int       `json:"pictures,omitempty"`
	SID      string    `json:"sid,omitempty"`
	Template bool      `json:"template,omitempty"` // an approved WhatsApp template
	Refused  string    `json:"refused,omitempty"`  // why WhatsApp will not deliver it
	Status   string    `json:"status,omitempty"`
	At       time.Time `json:"at"`
}

// simThreadMax and simThreadTTL keep the simulator's Redis small.
const (
	simThreadMax = 200
	simThreadTTL = 7 * 24 * time.Hour
)

func (s *Simulator) threadKey(suffix string) string {
	return s.cfg.KeyPrefix + "sim:thread:" + suffix
}

// record appends a line to a phone's thread.
func (s *Simulator) record(ctx context.Context, suffix string, e simEntry) error {
	e.At = s.cfg.Engine.Clock().Now()
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("simulator thread: %w", err)
	}
	k := s.threadKey(suffix)
	pipe := s.rdb.TxPipeline()
	pipe.RPush(ctx, k, raw)
	pipe.LTrim(ctx, k, -simThreadMax, -1)
	pipe.Expire(ctx, k, simThreadTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("simulator thread: %w", err)
	}
	return nil
}

// Thread returns a simulator phone's thread, oldest first.
func (s *Simulator) Thread(ctx context.Context, suffix string) ([]simEntry, error) {
	raws, err := s.rdb.LRange(ctx, s.threadKey(suffix), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("simulator thread: %w", err)
	}
	out := make([]simEntry, 0, len(raws))
	for _, raw := range raws {
		var e simEntry
		if err := json.Unmarshal([]byte(raw), &e); err == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

type simThreadData struct {
	Phone   string
	Entries []simEntry
	Error   string
	Channel simChannel
}

// thread is the frame that shows a phone's thread and reloads itself every
// few seconds, so texts notify sends later appear without a script.
func (s *Simulator) thread(w http.ResponseWriter, r *http.Request) {
	suffix, _, ok := simPhone(r.URL.Query().Get("n"))
	if !ok {
		http.Error(w, "pick a number from 001 to 999", http.StatusBadRequest)
		return
	}
	ch := simChannelOf(r.URL.Query().Get("c"))
	data := simThreadData{Phone: suffix, Channel: ch}
	entries, err := s.Thread(r.Context(), threadID(ch, suffix))
	if err != nil {
		data.Error = "Redis does not answer: " + err.Error()
	}
	data.Entries = entries
	s.render(w, "thread.html", data)
}
