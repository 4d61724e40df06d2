-- Latency and error rate pair samples of one service, time and source (P95 weighted by the requests
-- beside it; errors over the requests beside them), one row per (service, time, source), as
-- src/store/migrations/010_sample_points.sql keeps them.
-- PostgreSQL: that migration's three triggers on `samples` are omitted. Migration 015 drops them
-- again (the store refreshes sample_points from src/store/derived/definitions.ts), and no PostgreSQL
-- database predates 015, so the end state is identical.

CREATE TABLE sample_points (
  service_id     text NOT NULL,
  at             bigint NOT NULL,
  source         text NOT NULL,
  latency_p95_ms double precision,
  requests       double precision,
  errors         double precision,
  error_rate_pct double precision,
  PRIMARY KEY (service_id, at, source)
);

INSERT INTO sample_points (service_id, at, source, latency_p95_ms, requests, errors, error_rate_pct)
SELECT service_id, at, source,
  max(CASE WHEN name = 'latency_p95_ms' THEN value END), max(CASE WHEN name = 'requests' THEN value END),
  max(CASE WHEN name = 'errors' THEN value END), max(CASE WHEN name = 'error_rate_pct' THEN value END)
FROM samples WHERE name IN ('latency_p95_ms', 'requests', 'errors', 'error_rate_pct')
GROUP BY service_id, at, source;
