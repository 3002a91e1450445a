-- Pinne schema, version 5: imports of tallies from spreadsheets (src/transfer, docs/GETTING_STARTED.md).
-- An import is one file stored in one transaction. It keeps the file's SHA-256 (to refuse the same
-- file twice unless confirmed), its size and its number of rows and tallies: never its content.
-- Its tallies point to it, so the whole import can be undone (voided with reason 'import_angrad').
CREATE TABLE import (
    id         INTEGER PRIMARY KEY,
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    bytes      INTEGER NOT NULL CHECK (bytes >= 0),
    rows       INTEGER NOT NULL CHECK (rows >= 0),
    tallies    INTEGER NOT NULL CHECK (tallies >= 0),
    created_by INTEGER REFERENCES account (id),
    -- The date only (UTC), like the audit log's tally entries.
    created_on TEXT NOT NULL,
    undone_by  INTEGER REFERENCES account (id),
    undone_on  TEXT
);
CREATE INDEX import_by_hash ON import (sha256);

-- The tally table again, with the reason 'import_angrad' and the import a tally came from
-- (SQLite's table-rebuild procedure: a CHECK cannot be altered in place).
CREATE TABLE tally_new (
    id             INTEGER PRIMARY KEY,
    insats_id      INTEGER NOT NULL REFERENCES insats (id),
    kind_id        INTEGER NOT NULL REFERENCES kind (id),
    year           INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    month          INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    split_value_id INTEGER NOT NULL DEFAULT 0,
    value_ids      TEXT NOT NULL CHECK (json_valid(value_ids) AND json_type(value_ids) = 'array'),
    void_reason    TEXT CHECK (void_reason IN ('felregistrering', 'dubblett', 'fel_period', 'fel_insats', 'annat', 'import_angrad')),
    created_by     INTEGER REFERENCES account (id),
    scope_value_id INTEGER NOT NULL DEFAULT 0,
    record_key     INTEGER NOT NULL DEFAULT 0 CHECK (record_key BETWEEN 0 AND 1048575),
    import_id      INTEGER REFERENCES import (id)
);
INSERT INTO tally_new (id, insats_id, kind_id, year, month, split_value_id, value_ids, void_reason, created_by,
                       scope_value_id, record_key)
    SELECT id, insats_id, kind_id, year, month, split_value_id, value_ids, void_reason, created_by,
           scope_value_id, record_key FROM tally;
DROP TABLE tally;
ALTER TABLE tally_new RENAME TO tally;
CREATE INDEX tally_by_import ON tally (import_id) WHERE import_id IS NOT NULL;
