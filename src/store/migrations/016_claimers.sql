-- Who holds each unfinished claim on scheduled work (issue 19): the store instance (one per
-- process, so one per replica) that claimed a digest week, a review reminder, a link confirmation
-- or its reminder, or an alert transition, and has not yet recorded its post. NULL once the post is
-- recorded, and for claims that post nothing (no channel, nobody to ask) or made before this
-- migration. The leader gives back a claim another claimer left unfinished for longer than any live
-- run holds one (src/domain/claims.ts), so work a killed replica claimed is still done, once.
ALTER TABLE digests ADD COLUMN claimed_by TEXT;
ALTER TABLE review_reminders ADD COLUMN claimed_by TEXT;
ALTER TABLE link_confirmations ADD COLUMN claimed_by TEXT;
ALTER TABLE link_confirmations ADD COLUMN reminder_claimed_by TEXT;
ALTER TABLE alert_state ADD COLUMN claimed_by TEXT;
