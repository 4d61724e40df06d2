-- Lead-time stage sums per service and UTC day of first shipment (the "which stage grew" drivers):
-- summed over a window they replace one aggregate step per change and stage with one per
-- service-day (`vitals bench`: the org-wide stage sums read every change of both windows). Kept by
-- triggers on every change to the columns involved; src/store/delivery-reads.ts adds the changes
-- of the partial days at a window's edges.

CREATE TABLE stage_days (
  service_id TEXT NOT NULL,
  day        INTEGER NOT NULL, -- UTC midnight (epoch ms) of first_deployed_at
  changes    INTEGER NOT NULL,
  coding     INTEGER NOT NULL, coding_n INTEGER NOT NULL,
  pickup     INTEGER NOT NULL, pickup_n INTEGER NOT NULL,
  review     INTEGER NOT NULL, review_n INTEGER NOT NULL,
  deploy     INTEGER NOT NULL, deploy_n INTEGER NOT NULL,
  -- Day first: an org-wide window is one range; a team's services are filtered within it.
  PRIMARY KEY (day, service_id)
) STRICT, WITHOUT ROWID;

INSERT INTO stage_days (service_id, day, changes, coding, coding_n, pickup, pickup_n, review, review_n, deploy, deploy_n)
SELECT service_id, first_deployed_at - first_deployed_at % 86400000, count(*),
  coalesce(sum(pr_opened_at - committed_at), 0), count(pr_opened_at),
  coalesce(sum(pr_first_review_at - pr_opened_at), 0), count(pr_first_review_at - pr_opened_at),
  coalesce(sum(pr_merged_at - pr_first_review_at), 0), count(pr_merged_at - pr_first_review_at),
  coalesce(sum(first_deployed_at - pr_merged_at), 0), count(pr_merged_at)
FROM changes WHERE first_deployed_at IS NOT NULL
GROUP BY 1, 2;

CREATE TRIGGER changes_stage_insert AFTER INSERT ON changes WHEN NEW.first_deployed_at IS NOT NULL
BEGIN
  INSERT INTO stage_days (service_id, day, changes, coding, coding_n, pickup, pickup_n, review, review_n, deploy, deploy_n) VALUES (NEW.service_id, NEW.first_deployed_at - NEW.first_deployed_at % 86400000, 1,
    coalesce(NEW.pr_opened_at - NEW.committed_at, 0), NEW.pr_opened_at IS NOT NULL,
    coalesce(NEW.pr_first_review_at - NEW.pr_opened_at, 0), (NEW.pr_first_review_at - NEW.pr_opened_at) IS NOT NULL,
    coalesce(NEW.pr_merged_at - NEW.pr_first_review_at, 0), (NEW.pr_merged_at - NEW.pr_first_review_at) IS NOT NULL,
    coalesce(NEW.first_deployed_at - NEW.pr_merged_at, 0), NEW.pr_merged_at IS NOT NULL)
  ON CONFLICT (day, service_id) DO UPDATE SET changes = changes + excluded.changes,
    coding = coding + excluded.coding, coding_n = coding_n + excluded.coding_n,
    pickup = pickup + excluded.pickup, pickup_n = pickup_n + excluded.pickup_n,
    review = review + excluded.review, review_n = review_n + excluded.review_n,
    deploy = deploy + excluded.deploy, deploy_n = deploy_n + excluded.deploy_n;
END;

CREATE TRIGGER changes_stage_delete AFTER DELETE ON changes WHEN OLD.first_deployed_at IS NOT NULL
BEGIN
  UPDATE stage_days SET changes = changes - 1,
    coding = coding - coalesce(OLD.pr_opened_at - OLD.committed_at, 0), coding_n = coding_n - (OLD.pr_opened_at IS NOT NULL),
    pickup = pickup - coalesce(OLD.pr_first_review_at - OLD.pr_opened_at, 0), pickup_n = pickup_n - ((OLD.pr_first_review_at - OLD.pr_opened_at) IS NOT NULL),
    review = review - coalesce(OLD.pr_merged_at - OLD.pr_first_review_at, 0), review_n = review_n - ((OLD.pr_merged_at - OLD.pr_first_review_at) IS NOT NULL),
    deploy = deploy - coalesce(OLD.first_deployed_at - OLD.pr_merged_at, 0), deploy_n = deploy_n - (OLD.pr_merged_at IS NOT NULL)
  WHERE day = OLD.first_deployed_at - OLD.first_deployed_at % 86400000 AND service_id = OLD.service_id;
END;

-- An update takes the old change out of its day and puts the new one in (the day may change).
CREATE TRIGGER changes_stage_update AFTER UPDATE OF service_id, committed_at, pr_opened_at, pr_first_review_at, pr_merged_at, first_deployed_at ON changes
BEGIN
  UPDATE stage_days SET changes = changes - 1,
    coding = coding - coalesce(OLD.pr_opened_at - OLD.committed_at, 0), coding_n = coding_n - (OLD.pr_opened_at IS NOT NULL),
    pickup = pickup - coalesce(OLD.pr_first_review_at - OLD.pr_opened_at, 0), pickup_n = pickup_n - ((OLD.pr_first_review_at - OLD.pr_opened_at) IS NOT NULL),
    review = review - coalesce(OLD.pr_merged_at - OLD.pr_first_review_at, 0), review_n = review_n - ((OLD.pr_merged_at - OLD.pr_first_review_at) IS NOT NULL),
    deploy = deploy - coalesce(OLD.first_deployed_at - OLD.pr_merged_at, 0), deploy_n = deploy_n - (OLD.pr_merged_at IS NOT NULL)
  WHERE OLD.first_deployed_at IS NOT NULL AND day = OLD.first_deployed_at - OLD.first_deployed_at % 86400000 AND service_id = OLD.service_id;
  INSERT INTO stage_days (service_id, day, changes, coding, coding_n, pickup, pickup_n, review, review_n, deploy, deploy_n) SELECT NEW.service_id, NEW.first_deployed_at - NEW.first_deployed_at % 86400000, 1,
    coalesce(NEW.pr_opened_at - NEW.committed_at, 0), NEW.pr_opened_at IS NOT NULL,
    coalesce(NEW.pr_first_review_at - NEW.pr_opened_at, 0), (NEW.pr_first_review_at - NEW.pr_opened_at) IS NOT NULL,
    coalesce(NEW.pr_merged_at - NEW.pr_first_review_at, 0), (NEW.pr_merged_at - NEW.pr_first_review_at) IS NOT NULL,
    coalesce(NEW.first_deployed_at - NEW.pr_merged_at, 0), NEW.pr_merged_at IS NOT NULL
  WHERE NEW.first_deployed_at IS NOT NULL
  ON CONFLICT (day, service_id) DO UPDATE SET changes = changes + excluded.changes,
    coding = coding + excluded.coding, coding_n = coding_n + excluded.coding_n,
    pickup = pickup + excluded.pickup, pickup_n = pickup_n + excluded.pickup_n,
    review = review + excluded.review, review_n = review_n + excluded.review_n,
    deploy = deploy + excluded.deploy, deploy_n = deploy_n + excluded.deploy_n;
END;
