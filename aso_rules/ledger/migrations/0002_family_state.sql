-- Per family, its carry: the accumulators after its last line (JSON) and that line's key.
-- A family whose new lines all sort after last_key is settled from its carry alone.
CREATE TABLE family_state (
  family_id TEXT PRIMARY KEY,
  last_key TEXT NOT NULL,
  carry TEXT NOT NULL
);
