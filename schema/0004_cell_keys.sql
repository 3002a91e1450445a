-- Record keys for the Cell Key Method (docs/PRIVACY.md). Every tally and every event draws a random
-- number 0..2^20−1 when it is stored; it says nothing about anyone and links nothing (it is drawn
-- independently of every other field). A published cell's key is the sum of the record keys of the
-- tallies it counts, modulo 2^20, so the same tallies always get the same noise.
ALTER TABLE tally ADD COLUMN record_key INTEGER NOT NULL DEFAULT 0 CHECK (record_key BETWEEN 0 AND 1048575);
UPDATE tally SET record_key = abs(random() % 1048576);

ALTER TABLE event ADD COLUMN record_key INTEGER NOT NULL DEFAULT 0 CHECK (record_key BETWEEN 0 AND 1048575);
UPDATE event SET record_key = abs(random() % 1048576);

-- The sum of the record keys of the tallies a count row counts, kept beside n by every insert and
-- void (not reduced modulo 2^20: the report adds rows first).
ALTER TABLE tally_count ADD COLUMN k INTEGER NOT NULL DEFAULT 0;
WITH keyed (insats_id, kind_id, year, month, scope_value_id, split_value_id, value_id, k) AS (
    SELECT insats_id, kind_id, year, month, scope_value_id, split_value_id, 0, sum(record_key)
    FROM tally WHERE void_reason IS NULL
    GROUP BY insats_id, kind_id, year, month, scope_value_id, split_value_id
    UNION ALL
    SELECT t.insats_id, t.kind_id, t.year, t.month, t.scope_value_id, t.split_value_id,
           json_extract(v.value, '$[1]'), sum(t.record_key)
    FROM tally t, json_each(t.value_ids) v WHERE t.void_reason IS NULL
    GROUP BY t.insats_id, t.kind_id, t.year, t.month, t.scope_value_id, t.split_value_id, json_extract(v.value, '$[1]')
)
UPDATE tally_count SET k = keyed.k FROM keyed
WHERE tally_count.insats_id = keyed.insats_id AND tally_count.kind_id = keyed.kind_id
  AND tally_count.year = keyed.year AND tally_count.month = keyed.month
  AND tally_count.scope_value_id = keyed.scope_value_id AND tally_count.split_value_id = keyed.split_value_id
  AND tally_count.value_id = keyed.value_id;
