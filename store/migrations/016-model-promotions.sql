-- 016: every promotion decision on a fraud model, append-only.
--
-- Until now a model's decision lived only in model_registry.metrics.promotion, which each decision
-- overwrote: a candidate not promoted after training, then forced into service by an operator, kept
-- only "forced by an operator: …" (the first decision survived in the audit log at most, and training's
-- decisions are not audited). One row per decision: after a training (promoted or kept as a candidate),
-- and an operator's promotion (`retour model promote`, POST /v1/models/{version}/promote, forced or not).
-- The model a promotion retires is its previous_version. Rows are only ever inserted (no key, no index:
-- nothing updates or deletes them; see 012 for why updated tables here avoid indexes).
CREATE SEQUENCE model_promotions_seq START 1;
CREATE TABLE model_promotions (
  promotion_id     BIGINT NOT NULL DEFAULT nextval('model_promotions_seq'),
  version          VARCHAR NOT NULL,      -- the model decided on
  decided_at       TIMESTAMPTZ NOT NULL,
  promoted         BOOLEAN NOT NULL,      -- put in service (true) or kept out of it (false)
  forced           BOOLEAN NOT NULL,      -- an operator overrode the rule (--force, {"force": true})
  source           VARCHAR NOT NULL,      -- 'training' | 'operator' | 'before-016'
  decided_by       VARCHAR NOT NULL,      -- 'cli:USER', 'key:KEY_ID (NAME)', 'train job'
  reason           VARCHAR NOT NULL,
  previous_version VARCHAR,               -- the model in service when decided (a promotion retired it)
  compared         VARCHAR NOT NULL       -- JSON: { candidate: { prAuc, rocAuc }, serving: { version, prAuc, rocAuc } | null }
);

-- The one decision each model kept so far (its metrics.promotion), so that no history starts empty.
INSERT INTO model_promotions (version, decided_at, promoted, forced, source, decided_by, reason, previous_version, compared)
SELECT version,
  coalesce(promoted_at, created_at),
  coalesce(json_extract(metrics, '$.promotion.promote')::BOOLEAN, false),
  coalesce(json_extract_string(metrics, '$.promotion.reason') LIKE 'forced by an operator%', false),
  'before-016',
  'unknown (recorded before migration 016)',
  json_extract_string(metrics, '$.promotion.reason'),
  NULL,
  json_object(
    'candidate', json_object('prAuc', json_extract(metrics, '$.pr_auc'), 'rocAuc', json_extract(metrics, '$.roc_auc')),
    'serving', CASE WHEN json_extract(metrics, '$.serving_comparison') IS NULL THEN NULL ELSE json_object(
      'version', json_extract_string(metrics, '$.serving_comparison.version'),
      'prAuc', json_extract(metrics, '$.serving_comparison.pr_auc'),
      'rocAuc', json_extract(metrics, '$.serving_comparison.roc_auc')) END
  )::VARCHAR
FROM model_registry
WHERE json_extract_string(metrics, '$.promotion.reason') IS NOT NULL
ORDER BY coalesce(promoted_at, created_at), version;
