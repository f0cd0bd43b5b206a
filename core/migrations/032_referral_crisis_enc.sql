-- Why a referral is a crisis is free text about the client ("no gas or
-- electric, partner has left"), typed by an adviser or gathered from the
-- client's own words. It was kept in clear in the referral's created
-- event, which the audit log never lets go of, so erasing the client left
-- it readable. It now lives on the referral, sealed under the client's
-- key like the notes beside it: erasure destroys the key and clears it.
ALTER TABLE referrals ADD COLUMN crisis_enc bytea;
