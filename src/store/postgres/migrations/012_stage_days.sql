-- Lead-time stage sums per service and UTC day of first shipment (the "which stage grew" drivers),
-- as src/store/migrations/012_stage_days.sql keeps them.
-- PostgreSQL: that migration's three triggers on `changes` are omitted. Migration 015 drops them
-- again (the store refreshes stage_days from src/store/derived/definitions.ts), and no PostgreSQL
-- database predates 015, so the end state is identical.

CREATE TABLE stage_days (
  service_id text NOT NULL,
  day        bigint NOT NULL, -- UTC midnight (epoch ms) of first_deployed_at
  changes    bigint NOT NULL,
  coding     bigint NOT NULL, coding_n bigint NOT NULL,
  pickup     bigint NOT NULL, pickup_n bigint NOT NULL,
  review     bigint NOT NULL, review_n bigint NOT NULL,
  deploy     bigint NOT NULL, deploy_n bigint NOT NULL,
  -- Day first: an org-wide window is one range; a team's services are filtered within it.
  PRIMARY KEY (day, service_id)
);

-- sum(bigint) is numeric in PostgreSQL; the insert casts it back to bigint (sums of ms stay far
-- below 2^63).
INSERT INTO stage_days (service_id, day, changes, coding, coding_n, pickup, pickup_n, review, review_n, deploy, deploy_n)
SELECT service_id, first_deployed_at - first_deployed_at % 86400000, count(*),
  coalesce(sum(pr_opened_at - committed_at), 0), count(pr_opened_at),
  coalesce(sum(pr_first_review_at - pr_opened_at), 0), count(pr_first_review_at - pr_opened_at),
  coalesce(sum(pr_merged_at - pr_first_review_at), 0), count(pr_merged_at - pr_first_review_at),
  coalesce(sum(first_deployed_at - pr_merged_at), 0), count(pr_merged_at)
FROM changes WHERE first_deployed_at IS NOT NULL
GROUP BY 1, 2;
