-- Latency and error rate pair samples of one service, time and source (P95 weighted by the requests
-- beside it; errors over the requests beside them). Pairing them with self-joins at read time made
-- those the slowest org-wide answers after lead time (`vitals bench`), so the pairs are kept here,
-- one row per (service, time, source), by triggers on every write to `samples`.

CREATE TABLE sample_points (
  service_id     TEXT NOT NULL,
  at             INTEGER NOT NULL,
  source         TEXT NOT NULL,
  latency_p95_ms REAL,
  requests       REAL,
  errors         REAL,
  error_rate_pct REAL,
  PRIMARY KEY (service_id, at, source)
) STRICT, WITHOUT ROWID;

INSERT INTO sample_points (service_id, at, source, latency_p95_ms, requests, errors, error_rate_pct)
SELECT service_id, at, source,
  max(CASE WHEN name = 'latency_p95_ms' THEN value END), max(CASE WHEN name = 'requests' THEN value END),
  max(CASE WHEN name = 'errors' THEN value END), max(CASE WHEN name = 'error_rate_pct' THEN value END)
FROM samples WHERE name IN ('latency_p95_ms', 'requests', 'errors', 'error_rate_pct')
GROUP BY service_id, at, source;

CREATE TRIGGER samples_point_insert AFTER INSERT ON samples
  WHEN NEW.name IN ('latency_p95_ms', 'requests', 'errors', 'error_rate_pct')
BEGIN
  INSERT INTO sample_points (service_id, at, source) VALUES (NEW.service_id, NEW.at, NEW.source) ON CONFLICT DO NOTHING;
  UPDATE sample_points SET
    latency_p95_ms = iif(NEW.name = 'latency_p95_ms', NEW.value, latency_p95_ms),
    requests = iif(NEW.name = 'requests', NEW.value, requests),
    errors = iif(NEW.name = 'errors', NEW.value, errors),
    error_rate_pct = iif(NEW.name = 'error_rate_pct', NEW.value, error_rate_pct)
  WHERE service_id = NEW.service_id AND at = NEW.at AND source = NEW.source;
END;

CREATE TRIGGER samples_point_delete AFTER DELETE ON samples
  WHEN OLD.name IN ('latency_p95_ms', 'requests', 'errors', 'error_rate_pct')
BEGIN
  UPDATE sample_points SET
    latency_p95_ms = iif(OLD.name = 'latency_p95_ms', NULL, latency_p95_ms),
    requests = iif(OLD.name = 'requests', NULL, requests),
    errors = iif(OLD.name = 'errors', NULL, errors),
    error_rate_pct = iif(OLD.name = 'error_rate_pct', NULL, error_rate_pct)
  WHERE service_id = OLD.service_id AND at = OLD.at AND source = OLD.source;
  DELETE FROM sample_points WHERE service_id = OLD.service_id AND at = OLD.at AND source = OLD.source
    AND latency_p95_ms IS NULL AND requests IS NULL AND errors IS NULL AND error_rate_pct IS NULL;
END;

-- An update is a delete of the old sample and an insert of the new one (the key may change too).
CREATE TRIGGER samples_point_update AFTER UPDATE ON samples
  WHEN OLD.name IN ('latency_p95_ms', 'requests', 'errors', 'error_rate_pct')
    OR NEW.name IN ('latency_p95_ms', 'requests', 'errors', 'error_rate_pct')
BEGIN
  UPDATE sample_points SET
    latency_p95_ms = iif(OLD.name = 'latency_p95_ms', NULL, latency_p95_ms),
    requests = iif(OLD.name = 'requests', NULL, requests),
    errors = iif(OLD.name = 'errors', NULL, errors),
    error_rate_pct = iif(OLD.name = 'error_rate_pct', NULL, error_rate_pct)
  WHERE service_id = OLD.service_id AND at = OLD.at AND source = OLD.source;
  INSERT INTO sample_points (service_id, at, source)
    SELECT NEW.service_id, NEW.at, NEW.source WHERE NEW.name IN ('latency_p95_ms', 'requests', 'errors', 'error_rate_pct')
    ON CONFLICT DO NOTHING;
  UPDATE sample_points SET
    latency_p95_ms = iif(NEW.name = 'latency_p95_ms', NEW.value, latency_p95_ms),
    requests = iif(NEW.name = 'requests', NEW.value, requests),
    errors = iif(NEW.name = 'errors', NEW.value, errors),
    error_rate_pct = iif(NEW.name = 'error_rate_pct', NEW.value, error_rate_pct)
  WHERE service_id = NEW.service_id AND at = NEW.at AND source = NEW.source;
  DELETE FROM sample_points WHERE service_id = OLD.service_id AND at = OLD.at AND source = OLD.source
    AND latency_p95_ms IS NULL AND requests IS NULL AND errors IS NULL AND error_rate_pct IS NULL;
END;
