-- Jobs (issue 5): who closed a post-incident review (done or not needed), for the audit trail.
ALTER TABLE reviews ADD COLUMN closed_by text;
