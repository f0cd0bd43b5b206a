// Package notify delivers everything that leaves Onward asynchronously:
// it runs the outbox worker that claims rows core wrote in the same
// transaction as the change that caused them, and sends each one — Slack
// cards, reminders, escalations and digests through slack-go, client status
// texts through twilio-go (staff email through go-mail), by SMS or by WhatsApp (free-form inside the
// client's 24-hour window, an approved template outside it, held when
// there is none: see whatsapp.go) — retrying transient failures with
// backoff and dead-lettering the rest. It never decides state: it only delivers what
// core recorded.
//
// # Delivery guarantees
//
// The outbox's SQL is core's (core.Outbox); notify decides only what to
// send and what each outcome means. A worker claims a row by leasing it:
// in one short transaction it moves the row's available_at to now+lease
// and counts an attempt, then commits and delivers with no transaction
// open. The row is marked sent (or rescheduled)
// afterwards, on the condition that the lease is still the one it took, so
// several workers never deliver the same row at the same time, and a worker
// that dies leaves its rows to be claimed again when the lease runs out.
// Nothing is ever lost: a row ends sent, skipped (with the reason in
// delivery_status), or dead-lettered (visible in `onward outbox list --dead`,
// retryable with `onward outbox retry ID`, coordinators alerted once).
//
// Slack kinds are at-least-once: a card is posted once and its channel and
// ts are recorded in slack_cards in the same transaction that marks the row
// sent; later syncs use chat.update, which is idempotent. A crash after
// Slack answered chat.postMessage but before that commit posts the card a
// second time when the row is retried.
//
// Client texts are at-most-once across crashes. Twilio has no idempotency
// key, so before calling it the worker commits delivery_status "sending"
// (and sending_at, the time of the mark), and it marks the row sent in the
// statement that follows the API call's return. A worker killed between
// those two commits leaves a row that says "sending", and so does a call
// that got no answer from Twilio (a timeout, a connection cut, a
// gateway's 502 or 504: mayHaveTaken), which Twilio may have taken and
// answered too late: its retry keeps the mark. Twilio's
// StatusCallback URL names the row (StatusRowParam), so its callback for
// such a text marks the row sent before the next claim. A claim that
// still finds the row "sending" with no SID does not send it blind but
// asks Twilio (interrupted.go, one rule for client texts, phone codes and
// directory texts): it renders the text as the send path does and lists
// the messages Twilio holds to the number from our sender since the mark
// (less clockSkew). A message with the same words is the row's: the row
// is marked sent with its SID, "accepted, found at Twilio after an
// interruption". No message at all (a message whose SID another row
// records is that row's, not a trace of this one) means Twilio never took
// it, and the text is sent as usual — but only once the interrupted API
// call's timeout (and a margin) has passed since the mark, before which
// the row waits, uncounted. A message with other words (it may be the
// text, changed on the way), or a lookup Twilio does not answer, keeps
// the mark and retries the check with backoff (Outbox.CheckLater); when
// the attempts run out the row is dead-lettered as "interrupted during
// send", the reason saying Twilio could not confirm it, coordinators are
// alerted, and a late callback can still correct it
// (core.Engine.RecordCallbackForRow). Without a Twilio that can list
// messages (no credentials), and for a WhatsApp text (a template's words
// cannot be matched), such a row is dead-lettered at once, as before the
// check existed. Twilio filters its list by date_sent, so a message it
// still holds queued, unsent, may not be listed; rows come back to a
// claim only after their lease (two minutes by default), by when Twilio
// has almost always sent what it took. The one path that may send a text
// twice is a request that times out after Twilio accepted it but before
// its answer arrived: a timeout is retried like any transient failure.
//
// Email is at-most-once per address and cause. Core writes one cause row
// (email.notify) in the transaction of the change; the worker expands it,
// in the transaction that marks it sent, into one email.send row per
// recipient address, unique by cause and address, so one address never
// gets two emails for one cause. Like a text, an email row is marked
// "sending" at the last moment before the provider may hold it: for an
// email, once the server has the whole message and just before the final
// "." of its data, which alone has the server take it (RFC 5321 §3.3;
// MailSender). A worker stopped before then — a server that never
// greets, or holds its answer to MAIL FROM or RCPT TO — gives the row
// back, and one killed leaves it to be claimed again: either way it is
// sent as usual, once. The server's 250 after the "." is the point of
// delivery, and the row is marked sent in the statement that follows.
// The worker waits for that answer as RFC 5321 §4.5.3.2.6 asks, up to 10
// minutes, but never past the row's lease (less the margin it keeps to
// record the outcome), so the worker that sent the email is the one that
// records it; the commands before the "." get the usual 10 s, as giving
// up there is safe. A 4xx answer, a connection dropped while the server
// reads the message (the message leaves before the mark, the "." on its
// own after it, and a server that has closed the connection or spoken
// by then is not sent the "."), is retried, and the retry clears the
// mark; 5xx answers (a refused recipient, a wrong password) are
// dead-lettered and the coordinators alerted (by Slack and by email,
// never by email about an email alert). When the "." went out and no
// answer came — the wait ran out, the connection ended — the server may
// have taken the email: it is dead-lettered at once as interrupted, its
// last error naming its Message-ID (derived from the row) to look for in
// the mail server's log, counted (onward_notify_interrupted_total) and
// logged in one line, and never sent again unless someone retries it. So
// is a "sending" row whose worker was stopped or killed between the "."
// and the mark. A mail server that cannot be reached at all (no
// connection, no greeting, TLS failing) is no email's fault: the worker
// says so once when it starts ("mail server unavailable", with the
// server's address and the cause) and once when it ends, tries one email
// at a time after a backoff (from the crisis schedule's first wait,
// doubling up to a minute) while the others wait, put back uncounted
// ("waiting: the mail server cannot be reached"), so no outage, however
// long, dead-letters an email. Email rows carry no referral_id, so a mail
// server that is down never holds back a referral's cards and texts.
//
// Causal order: a referral's row is never delivered while an older row of
// the same referral is due, in flight or waiting to be retried, so a card
// is posted before it is updated and texts arrive in the order of the
// changes that caused them. Rows scheduled for later (reminders, the
// contact check) do not hold back the rows written after them.
package notify
