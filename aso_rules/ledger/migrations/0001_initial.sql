-- The ledger's first schema: one SQL text for SQLite and PostgreSQL (portable types only).
-- Money is integer cents (BIGINT); dates are ISO text; a claim record is its JSON text.
CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE batches (
  seq INTEGER PRIMARY KEY,
  batch_id TEXT NOT NULL UNIQUE,
  content_hash TEXT NOT NULL,
  posted_at TEXT NOT NULL,
  engine TEXT NOT NULL,
  row_offset BIGINT NOT NULL,
  rows_received BIGINT NOT NULL,
  lines BIGINT NOT NULL,
  rejected BIGINT NOT NULL,
  reversals BIGINT NOT NULL,
  readjudicated BIGINT NOT NULL,
  input_columns TEXT NOT NULL
);
CREATE TABLE claims (
  line_id BIGINT PRIMARY KEY,
  batch_seq INTEGER NOT NULL,
  claim_id TEXT NOT NULL,
  family_id TEXT NOT NULL,
  paid TEXT NOT NULL,
  record TEXT NOT NULL,
  voided_by INTEGER
);
CREATE INDEX claims_family ON claims (family_id);
CREATE INDEX claims_claim_id ON claims (claim_id);
CREATE TABLE adjudications (
  line_id BIGINT NOT NULL,
  batch_seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  allowed BIGINT NOT NULL,
  copay BIGINT NOT NULL,
  deductible BIGINT NOT NULL,
  coinsurance BIGINT NOT NULL,
  over_max BIGINT NOT NULL,
  plan_paid BIGINT NOT NULL,
  plan_year INTEGER NOT NULL,
  PRIMARY KEY (line_id, batch_seq)
);
CREATE TABLE current_lines (
  line_id BIGINT PRIMARY KEY,
  batch_seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  allowed BIGINT NOT NULL,
  copay BIGINT NOT NULL,
  deductible BIGINT NOT NULL,
  coinsurance BIGINT NOT NULL,
  over_max BIGINT NOT NULL,
  plan_paid BIGINT NOT NULL,
  plan_year INTEGER NOT NULL
);
CREATE TABLE rejects (
  batch_seq INTEGER NOT NULL,
  row_no BIGINT NOT NULL,
  claim_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (batch_seq, row_no)
);
CREATE TABLE reversals (
  batch_seq INTEGER NOT NULL,
  row_no BIGINT NOT NULL,
  claim_id TEXT NOT NULL,
  reverses TEXT NOT NULL,
  line_id BIGINT NOT NULL,
  PRIMARY KEY (batch_seq, row_no)
);
CREATE TABLE closed_months (
  month TEXT PRIMARY KEY,
  closed_at TEXT NOT NULL,
  batch_seq INTEGER NOT NULL,
  statement TEXT NOT NULL
);
