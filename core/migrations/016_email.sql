-- Email: where each agency's notifications go, what each member of staff
-- wants by email, and the network's crisis acknowledgement clock.

-- notify_email: a shared address (a team mailbox) that gets the agency's
-- notifications; '' for none. email_staff: whether each member of staff
-- gets them at their own address: always, only while the agency is not on
-- Slack, or never.
ALTER TABLE agencies ADD COLUMN notify_email text NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN email_staff text NOT NULL DEFAULT 'without-slack'
    CHECK (email_staff IN ('always', 'without-slack', 'never'));

-- A member of staff's choice per kind of email: at once, in the daily
-- digest, or not at all. No row means at once.
CREATE TABLE staff_mail_prefs (
    staff_id  bigint NOT NULL REFERENCES staff(id),
    kind      text NOT NULL,
    mode      text NOT NULL CHECK (mode IN ('now', 'digest', 'off')),
    PRIMARY KEY (staff_id, kind)
);

-- A crisis referral's acknowledgement target, in working hours, and the
-- local time before which a crisis raised is due the same working day.
ALTER TABLE network_settings ADD COLUMN crisis_ack_hours int NOT NULL DEFAULT 2
    CHECK (crisis_ack_hours > 0 AND crisis_ack_hours <= 40);
ALTER TABLE network_settings ADD COLUMN crisis_same_day_before time NOT NULL DEFAULT '15:00';
