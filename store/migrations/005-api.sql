-- 005: the API's own state — hashed API keys, the audit log of review decisions (and other writes),
-- and idempotency records of POST requests sent with an Idempotency-Key header.

-- Keys look like `rtr_<key_id>_<secret>`; only the SHA-256 of the whole key is stored. key_id is
-- not secret: it names the key in logs, audit rows and rate-limit buckets.
CREATE TABLE api_keys (
  key_id     VARCHAR PRIMARY KEY,
  key_hash   VARCHAR NOT NULL UNIQUE,       -- hex SHA-256 of the full key
  name       VARCHAR NOT NULL,
  role       VARCHAR NOT NULL,              -- domain/api-roles.ts
  created_at TIMESTAMPTZ NOT NULL,
  revoked_at TIMESTAMPTZ
);

CREATE SEQUENCE audit_log_seq START 1;
CREATE TABLE audit_log (
  audit_id   BIGINT PRIMARY KEY DEFAULT nextval('audit_log_seq'),
  occurred_at TIMESTAMPTZ NOT NULL,
  key_id     VARCHAR NOT NULL,
  key_name   VARCHAR NOT NULL,
  role       VARCHAR NOT NULL,
  action     VARCHAR NOT NULL,              -- e.g. 'flag.decide'
  target     VARCHAR NOT NULL,              -- e.g. the flag id
  request_id VARCHAR NOT NULL,
  details    VARCHAR NOT NULL               -- JSON: what was done (verdict, note, decision id)
);

-- The stored answer of an idempotent request: the same key and body get the same response; the same
-- key with another body is refused.
CREATE TABLE idempotency_keys (
  key_id          VARCHAR NOT NULL,         -- the API key that sent it (keys are per client)
  idempotency_key VARCHAR NOT NULL,
  route           VARCHAR NOT NULL,
  request_hash    VARCHAR NOT NULL,         -- hex SHA-256 of the canonical request (params + body)
  status_code     INTEGER NOT NULL,
  response        VARCHAR NOT NULL,         -- JSON body
  created_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (key_id, idempotency_key, route)
);

-- Events the API stored and must publish (risk.decision): written in the decision's transaction,
-- marked published once Kafka acknowledged them, so a Kafka outage delays a label but never loses it.
CREATE TABLE api_outbox (
  event_id     VARCHAR PRIMARY KEY,
  topic        VARCHAR NOT NULL,
  message_key  VARCHAR NOT NULL,
  payload      VARCHAR NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  published_at TIMESTAMPTZ
);
