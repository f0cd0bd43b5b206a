package sim

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/onward-network/onward/core"
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

// simThreadMax and simThreadTTL keep the simulator's Redis small, and
// what a developer typed as a client (a name, words about self-harm)
// there for a day at most.
const (
	simThreadMax = 200
	simThreadTTL = 24 * time.Hour
)

// A thread holds what a client would say and be told, so it is kept as
// the SMS channel keeps a conversation: each line encrypted with the
// engine's Crypter, its Redis key the additional data, and the key naming
// the phone only by its keyed hash. An erasure removes it with the
// client's other texts in Redis (Forget).

// threadKey is the Redis key of a thread (threadID: "456", "wa:456").
func (s *Simulator) threadKey(id string) string {
	suffix, whatsApp := strings.CutPrefix(id, "wa:")
	return threadKeyOf(s.cfg.KeyPrefix, hex.EncodeToString(s.cfg.Engine.Crypter().PhoneHash(core.Phone(simDramaPrefix+suffix))), whatsApp)
}

// threadKeyOf is the key, under keyPrefix, of the thread of the phone
// whose hash is phoneHash (hex), on WhatsApp or by SMS.
func threadKeyOf(keyPrefix, phoneHash string, whatsApp bool) string {
	k := keyPrefix + "sim:thread:"
	if whatsApp {
		k += "wa:"
	}
	return k + "{" + phoneHash + "}" // one Cluster slot for both threads
}

// record appends a line to a phone's thread.
func (s *Simulator) record(ctx context.Context, id string, e simEntry) error {
	e.At = s.cfg.Engine.Clock().Now()
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("simulator thread: %w", err)
	}
	k := s.threadKey(id)
	sealed, err := s.cfg.Engine.Crypter().EncryptBytes("redis:"+k, raw)
	if err != nil {
		return fmt.Errorf("simulator thread: %w", err)
	}
	pipe := s.rdb.TxPipeline()
	pipe.RPush(ctx, k, sealed)
	pipe.LTrim(ctx, k, -simThreadMax, -1)
	pipe.Expire(ctx, k, simThreadTTL)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("simulator thread: %w", err)
	}
	return nil
}

// Thread returns a simulator phone's thread, oldest first (id as
// threadID gives it). A line that does not open (written under an
// encryption key since replaced) is left out.
func (s *Simulator) Thread(ctx context.Context, id string) ([]simEntry, error) {
	k := s.threadKey(id)
	raws, err := s.rdb.LRange(ctx, k, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("simulator thread: %w", err)
	}
	out := make([]simEntry, 0, len(raws))
	for _, sealed := range raws {
		raw, err := s.cfg.Engine.Crypter().DecryptBytes("redis:"+k, []byte(sealed))
		if err != nil {
			continue
		}
		var e simEntry
		if err := json.Unmarshal(raw, &e); err == nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// ForgetThreads removes the simulator's threads (SMS and WhatsApp) of the
// phone whose keyed hash is phoneHash, kept under keyPrefix (the
// simulator's Config.KeyPrefix). It needs no Simulator, so a process that
// serves none (the CLI's `client erase` beside the dev server) can clear
// them too.
func ForgetThreads(ctx context.Context, rdb redis.UniversalClient, keyPrefix string, phoneHash []byte) error {
	h := hex.EncodeToString(phoneHash)
	if err := rdb.Del(ctx, threadKeyOf(keyPrefix, h, false), threadKeyOf(keyPrefix, h, true)).Err(); err != nil {
		return fmt.Errorf("forget the phone's simulator threads: %w", err)
	}
	return nil
}

// ForgetToo returns forget followed by the removal of the simulator's
// threads of the phone (ForgetThreads), for core.Engine.OnErase: the dev
// command wires it around the SMS channel's own (sms.Forget), so
// production code never depends on the simulator. The threads go even
// when forget fails.
func (s *Simulator) ForgetToo(forget func(ctx context.Context, phoneHash []byte) error) func(ctx context.Context, phoneHash []byte) error {
	return func(ctx context.Context, phoneHash []byte) error {
		var err error
		if forget != nil {
			err = forget(ctx, phoneHash)
		}
		return errors.Join(err, ForgetThreads(ctx, s.rdb, s.cfg.KeyPrefix, phoneHash))
	}
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
