package notify

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/onward-network/onward/core"
)

// listen holds a dedicated connection LISTENing on onward_outbox and wakes
// the run loop on every notification. When the connection drops (Postgres
// restarted, the backend was terminated) it reconnects with backoff,
// LISTENs again and wakes the loop once to catch up on anything notified
// while it was away.
func (w *Worker) listen(ctx context.Context) {
	pause := 100 * time.Millisecond
	lost := false // this loss is logged; the attempts to reconnect are not
	for ctx.Err() == nil {
		connected, err := w.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if connected {
			pause, lost = 100*time.Millisecond, false
		}
		if !lost {
			w.log.Warn("outbox LISTEN connection lost; reconnecting", "err", err)
			lost = true
		} else {
			w.log.Debug("outbox LISTEN connection not back yet", "err", err, "retry_in", pause)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}

func (w *Worker) listenOnce(ctx context.Context) (connected bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, w.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+core.OutboxChannel); err != nil {
		return false, err
	}
	w.log.Debug("listening for outbox notifications", "pid", conn.PgConn().PID())
	w.wake()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true, err
		}
		w.wake()
	}
}
