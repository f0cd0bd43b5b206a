package core

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/onward-network/onward/internal/outage"
)

// SentTexts counts the SMS Onward sends, per month, language and
// encoding, with the segments each is billed as (SMSSegments), for the
// coordinators' segment and cost report. It keeps counts only: no phone
// number, no body.
//
// Texts that answer a client's text (TwiML replies on the webhook's hot
// path) are counted in memory and written by Flush every few seconds, so
// a reply costs no Postgres round trip; a process killed between flushes
// loses those seconds' counts, which an estimate of cost can bear. Texts
// the outbox worker sends are written in the transaction that marks them
// sent (RecordTx), exactly once.
type SentTexts struct {
	e       *Engine
	mu      sync.Mutex
	pending map[sentKey]sentCount
	// flushing is held for the whole of a Flush, so a flush waits for
	// one in flight: a last flush at shutdown returns only once every
	// count taken before it is written or back in pending for it.
	flushing sync.Mutex
}

// sentKey buckets texts by UTC hour: the month is worked out in the
// network's time zone when the counts are written.
type sentKey struct {
	hour     time.Time
	language string
	encoding string
}

type sentCount struct{ texts, segments int64 }

// SentTexts is the engine's count of texts sent.
func (e *Engine) SentTexts() *SentTexts { return e.sent }

// sentLanguage is the language a text is counted under: English when the
// caller does not know.
func sentLanguage(code string) string {
	if code == "" {
		return "en"
	}
	return code
}

// Count notes texts sent at the given time in a language, to be written by
// the next Flush. Empty bodies are not texts and are not counted.
func (s *SentTexts) Count(at time.Time, language string, bodies ...string) {
	language = sentLanguage(language)
	hour := at.UTC().Truncate(time.Hour)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range bodies {
		n, enc := SMSSegments(b)
		if n == 0 {
			continue
		}
		k := sentKey{hour: hour, language: language, encoding: enc}
		c := s.pending[k]
		c.texts++
		c.segments += int64(n)
		s.pending[k] = c
	}
}

// sqlAddSentTexts adds counts to their months. Rows arrive summed per key
// and sorted, so two writers lock the rows in the same order.
const sqlAddSentTexts = `
INSERT INTO sms_segments (month, language, encoding, texts, segments)
SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
ON CONFLICT (month, language, encoding) DO UPDATE
SET texts = sms_segments.texts + EXCLUDED.texts, segments = sms_segments.segments + EXCLUDED.segments`

// monthKey is a count's row: the first day of its month in the network's
// time zone.
type monthKey struct {
	month    time.Time
	language string
	encoding string
}

// add writes counts bucketed by hour, summed per month of loc.
func (s *SentTexts) add(ctx context.Context, db DB, counts map[sentKey]sentCount) error {
	loc, err := s.location(ctx, db)
	if err != nil {
		return err
	}
	months := map[monthKey]sentCount{}
	for k, c := range counts {
		l := k.hour.In(loc)
		m := monthKey{month: time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, time.UTC), language: k.language, encoding: k.encoding}
		sum := months[m]
		sum.texts += c.texts
		sum.segments += c.segments
		months[m] = sum
	}
	keys := make([]monthKey, 0, len(months))
	for k := range months {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b monthKey) int {
		return cmp.Or(a.month.Compare(b.month), cmp.Compare(a.language, b.language), cmp.Compare(a.encoding, b.encoding))
	})
	var (
		ms              []time.Time
		langs, encs     []string
		texts, segments []int64
	)
	for _, k := range keys {
		ms, langs, encs = append(ms, k.month), append(langs, k.language), append(encs, k.encoding)
		texts, segments = append(texts, months[k].texts), append(segments, months[k].segments)
	}
	if _, err := db.Exec(ctx, sqlAddSentTexts, ms, langs, encs, texts, segments); err != nil {
		return fmt.Errorf("count texts sent: %w", err)
	}
	return nil
}

// location is the network's time zone; UTC before the network is set up.
// It is read through db, which may be the transaction that records a
// send (see calendarIn).
func (s *SentTexts) location(ctx context.Context, db DB) (*time.Location, error) {
	cal, err := s.e.calendarIn(ctx, db)
	if err == nil {
		return cal.Location, nil
	}
	if errors.Is(err, ErrNoNetwork) {
		return time.UTC, nil
	}
	return nil, fmt.Errorf("count texts sent: %w", err)
}

// RecordTx counts one text sent at the given time in db, which is the
// transaction that records the send, so the count commits with it.
func (s *SentTexts) RecordTx(ctx context.Context, db DB, at time.Time, language, body string) error {
	n, enc := SMSSegments(body)
	if n == 0 {
		return nil
	}
	k := sentKey{hour: at.UTC().Truncate(time.Hour), language: sentLanguage(language), encoding: enc}
	return s.add(ctx, db, map[sentKey]sentCount{k: {texts: 1, segments: int64(n)}})
}

// Flush writes the counts noted since the last flush. Counts that fail to
// be written are kept for the next one. A flush already under way is
// waited for first, so when Flush returns nil nothing counted before it
// is still on its way to the database: the process may close its pool.
func (s *SentTexts) Flush(ctx context.Context) error {
	s.flushing.Lock()
	defer s.flushing.Unlock()
	s.mu.Lock()
	counts := s.pending
	s.pending = map[sentKey]sentCount{}
	s.mu.Unlock()
	if len(counts) == 0 {
		return nil
	}
	err := s.add(ctx, s.e.pool, counts)
	if err != nil {
		s.mu.Lock()
		for k, c := range counts {
			p := s.pending[k]
			p.texts += c.texts
			p.segments += c.segments
			s.pending[k] = p
		}
		s.mu.Unlock()
	}
	return err
}

// RunFlusher flushes every interval until ctx ends. A failed flush is
// retried at the next tick, its counts kept; a spell of failures
// (PostgreSQL down for an hour fails every tick) is logged once when it
// starts, with the cause, and once when a flush works again, the ticks
// between at debug level. The last flush is the caller's:
// after ctx ends, requests still draining count their replies, and a
// clean shutdown calls Flush once they have, before closing the pool
// (Flush waits for one of RunFlusher's still under way).
func (s *SentTexts) RunFlusher(ctx context.Context, every time.Duration, log *slog.Logger) error {
	t := time.NewTicker(every)
	defer t.Stop()
	var spell outage.Log
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			// A flush with nothing to write asks nothing of PostgreSQL,
			// but one after a failure always has the failed counts.
			err := s.Flush(ctx)
			switch {
			case ctx.Err() != nil:
			case err != nil:
				log.Debug("count texts sent", "err", err)
				spell.Failed(log, slog.LevelWarn, partSentTexts, err, "texts", "counted in memory until PostgreSQL answers")
			default:
				spell.Answered(log, partSentTexts)
			}
		}
	}
}

// partSentTexts names the writing of the count of texts sent in the log
// of its outages.
const partSentTexts = "count of texts sent"
