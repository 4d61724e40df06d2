-- Incidents that name their deployment by id (PagerDuty custom field, ingest API `deploymentRef`)
-- are linked by external_id alone; the UNIQUE (source, external_id) index cannot serve that lookup,
-- so without this index every such incident scanned the whole deployments table on each relink
-- (found by `vitals bench`: import time grew with the square of the history).
CREATE INDEX deployments_external_id ON deployments(external_id);
