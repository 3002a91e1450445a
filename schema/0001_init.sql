-- Pinne schema, version 1.
-- Configuration is data: insatser, tally kinds, dimensions and their values, value groups and goals.
-- Tallies carry no personal data: an insats, a kind, a month, and one value id per dimension.
-- No timestamps are stored on a tally: the month is its only time.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE insats (
    id       INTEGER PRIMARY KEY,
    key      TEXT NOT NULL UNIQUE,
    label    TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    retired  INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1))
);

-- flow: 'entry' tallies add a participant, 'exit' tallies remove one; NULL for kinds that are counted only.
CREATE TABLE kind (
    id       INTEGER PRIMARY KEY,
    key      TEXT NOT NULL UNIQUE,
    label    TEXT NOT NULL,
    flow     TEXT CHECK (flow IN ('entry', 'exit')),
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE insats_kind (
    insats_id INTEGER NOT NULL REFERENCES insats (id),
    kind_id   INTEGER NOT NULL REFERENCES kind (id),
    PRIMARY KEY (insats_id, kind_id)
) WITHOUT ROWID;

-- role tells the report what a dimension means, so no key is hard-coded in Rust:
--   gender   the column split of every table (at most one)
--   area     municipality: the participants-by-area table
--   person   any other person category carried by both entries and exits
--   outcome  exit reason
--   duration time in the programme (values carry a representative number of months)
CREATE TABLE dimension (
    id       INTEGER PRIMARY KEY,
    key      TEXT NOT NULL UNIQUE,
    label    TEXT NOT NULL,
    role     TEXT NOT NULL CHECK (role IN ('gender', 'area', 'person', 'outcome', 'duration')),
    hint     TEXT,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE dimension_value (
    id           INTEGER PRIMARY KEY,
    dimension_id INTEGER NOT NULL REFERENCES dimension (id),
    key          TEXT NOT NULL,
    label        TEXT NOT NULL,
    column_label TEXT,
    months       REAL,
    position     INTEGER NOT NULL DEFAULT 0,
    retired      INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    UNIQUE (dimension_id, key)
);

CREATE TABLE kind_dimension (
    kind_id      INTEGER NOT NULL REFERENCES kind (id),
    dimension_id INTEGER NOT NULL REFERENCES dimension (id),
    required     INTEGER NOT NULL DEFAULT 1 CHECK (required IN (0, 1)),
    position     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind_id, dimension_id)
) WITHOUT ROWID;

-- A named set of values shown as an extra row, e.g. "egen försörjning" = anställning + studier + arbetsmarknaden.
CREATE TABLE value_group (
    id           INTEGER PRIMARY KEY,
    dimension_id INTEGER NOT NULL REFERENCES dimension (id),
    key          TEXT NOT NULL,
    label        TEXT NOT NULL,
    position     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (dimension_id, key)
);

CREATE TABLE value_group_member (
    group_id INTEGER NOT NULL REFERENCES value_group (id),
    value_id INTEGER NOT NULL REFERENCES dimension_value (id),
    PRIMARY KEY (group_id, value_id)
) WITHOUT ROWID;

-- A share goal: tallies of kind_id whose value of dimension_id is one of goal_value,
-- as a share of all tallies of kind_id in the year; at least / at most target_bp (basis points, 4500 = 45 %).
CREATE TABLE goal (
    id           INTEGER PRIMARY KEY,
    insats_id    INTEGER NOT NULL REFERENCES insats (id),
    year         INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    key          TEXT NOT NULL,
    label        TEXT NOT NULL,
    kind_id      INTEGER NOT NULL REFERENCES kind (id),
    dimension_id INTEGER NOT NULL REFERENCES dimension (id),
    comparator   TEXT NOT NULL CHECK (comparator IN ('at_least', 'at_most')),
    target_bp    INTEGER NOT NULL CHECK (target_bp BETWEEN 0 AND 10000),
    position     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (insats_id, year, key)
);

-- The years goals were set for an insats, possibly to none. A year's own goals apply; a year that
-- was never set uses the latest earlier year's.
CREATE TABLE goal_year (
    insats_id INTEGER NOT NULL REFERENCES insats (id),
    year      INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    PRIMARY KEY (insats_id, year)
) WITHOUT ROWID;

CREATE TABLE goal_value (
    goal_id  INTEGER NOT NULL REFERENCES goal (id) ON DELETE CASCADE,
    value_id INTEGER NOT NULL REFERENCES dimension_value (id),
    PRIMARY KEY (goal_id, value_id)
) WITHOUT ROWID;

-- A tally's values are stored in its own row, as a JSON array of [dimension id, value id] pairs in
-- form order (e.g. [[1,1],[2,4],[3,7]]); `sqlite3` reads them with json_each. One row per tally and
-- no secondary index keep a durable write to two B-tree pages (the tally, its counts); every id was
-- checked against the configuration before the write. split_value_id repeats the gender value (0 if
-- none). "Recent tallies of an insats" walks the table backwards by id (see docs/ARCHITECTURE.md).
CREATE TABLE tally (
    id             INTEGER PRIMARY KEY,
    insats_id      INTEGER NOT NULL REFERENCES insats (id),
    kind_id        INTEGER NOT NULL REFERENCES kind (id),
    year           INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    month          INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    split_value_id INTEGER NOT NULL DEFAULT 0,
    value_ids      TEXT NOT NULL CHECK (json_valid(value_ids) AND json_type(value_ids) = 'array'),
    void_reason    TEXT CHECK (void_reason IN ('felregistrering', 'dubblett', 'fel_period', 'fel_insats', 'annat'))
);

-- (dimension_value.column_label: the heading when the value is a column, e.g. "Kvinnor"; months: the
-- representative number of months of a duration band, used for the mean time in the programme.)

-- Pre-aggregated counts, kept in the same transaction as every insert and void, so reports never
-- scan raw tallies. One row per (insats, kind, month, gender value, value): value_id 0 is the
-- row of all tallies, split_value_id 0 means the kind has no gender dimension.
CREATE TABLE tally_count (
    insats_id      INTEGER NOT NULL,
    kind_id        INTEGER NOT NULL,
    year           INTEGER NOT NULL,
    month          INTEGER NOT NULL,
    split_value_id INTEGER NOT NULL,
    value_id       INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (insats_id, year, kind_id, month, split_value_id, value_id)
) WITHOUT ROWID;
