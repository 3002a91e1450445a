-- Pinne schema, version 3: the whole Finsam follow-up. Guidance meetings, surveys, violence
-- questions and group-activity ratings are tallies of further kinds; structural events and budgets
-- have tables of their own; goals become shares, counts or amounts per participant.
-- Run with foreign keys off (src/store/migrate.rs), as SQLite's table-rebuild procedure requires;
-- `PRAGMA foreign_key_check` must be empty afterwards.

-- Dimensions: three more roles, and dimensions (survey questions) can be retired.
--   choice    any other category of a tally that is not a participant flow (next step, answer, …)
--   question  a survey question: its values are the answers; positive answers are flagged
--   rating    a score: its values carry the number (`score`), e.g. 0–10
CREATE TABLE dimension_new (
    id       INTEGER PRIMARY KEY,
    key      TEXT NOT NULL UNIQUE,
    label    TEXT NOT NULL,
    role     TEXT NOT NULL
             CHECK (role IN ('gender', 'area', 'person', 'outcome', 'duration', 'choice', 'question', 'rating')),
    hint     TEXT,
    position INTEGER NOT NULL DEFAULT 0,
    retired  INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1))
);
INSERT INTO dimension_new (id, key, label, role, hint, position)
    SELECT id, key, label, role, hint, position FROM dimension;
DROP TABLE dimension;
ALTER TABLE dimension_new RENAME TO dimension;

-- score: the number a rating value stands for; positive: an answer counted as positive in a survey
-- (ofta, för det mesta, alltid; ja).
ALTER TABLE dimension_value ADD COLUMN score REAL;
ALTER TABLE dimension_value ADD COLUMN positive INTEGER NOT NULL DEFAULT 0 CHECK (positive IN (0, 1));

-- shape: 'tally' (one row in `tally` per event counted) or 'event' (a structural activity with a
-- name and a number of attendees, in `event`).
-- scope_dimension_id: a dimension whose value keys every count row of the kind besides gender, so
-- the report can cross it with every other dimension (the respondent group of a survey, the group
-- activity of a rating).
ALTER TABLE kind ADD COLUMN shape TEXT NOT NULL DEFAULT 'tally' CHECK (shape IN ('tally', 'event'));
ALTER TABLE kind ADD COLUMN scope_dimension_id INTEGER REFERENCES dimension (id);

-- multiple: the dimension takes several values in one tally (agency contacts at a guidance meeting).
ALTER TABLE kind_dimension ADD COLUMN multiple INTEGER NOT NULL DEFAULT 0 CHECK (multiple IN (0, 1));

-- The value of the kind's scope dimension (0 if none), repeated like split_value_id.
ALTER TABLE tally ADD COLUMN scope_value_id INTEGER NOT NULL DEFAULT 0;

-- Counts keyed by the scope value too.
CREATE TABLE tally_count_new (
    insats_id      INTEGER NOT NULL,
    kind_id        INTEGER NOT NULL,
    year           INTEGER NOT NULL,
    month          INTEGER NOT NULL,
    scope_value_id INTEGER NOT NULL,
    split_value_id INTEGER NOT NULL,
    value_id       INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (insats_id, year, kind_id, month, scope_value_id, split_value_id, value_id)
) WITHOUT ROWID;
INSERT INTO tally_count_new (insats_id, kind_id, year, month, scope_value_id, split_value_id, value_id, n)
    SELECT insats_id, kind_id, year, month, 0, split_value_id, value_id, n FROM tally_count;
DROP TABLE tally_count;
ALTER TABLE tally_count_new RENAME TO tally_count;

-- Goals of three types, per insats and year:
--   share                 Σ tallies of kind_id with a numerator value / Σ with a denominator value
--                         (no denominator values: all tallies of the kind), optionally only those with
--                         scope_value_id; at least / at most target_bp (basis points)
--   count                 measure 'participants' (during the year), 'tallies' (of kind_id, with a
--                         numerator value if any are given) or 'attendees' (of events of kind_id);
--                         at least / at most target_amount
--   cost_per_participant  the year's outcome (or budget) in kronor per participant; at most target_amount
CREATE TABLE goal_new (
    id             INTEGER PRIMARY KEY,
    insats_id      INTEGER NOT NULL REFERENCES insats (id),
    year           INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    key            TEXT NOT NULL,
    label          TEXT NOT NULL,
    type           TEXT NOT NULL CHECK (type IN ('share', 'count', 'cost_per_participant')),
    kind_id        INTEGER REFERENCES kind (id),
    measure        TEXT CHECK (measure IN ('participants', 'tallies', 'attendees')),
    scope_value_id INTEGER REFERENCES dimension_value (id),
    comparator     TEXT NOT NULL CHECK (comparator IN ('at_least', 'at_most')),
    target_bp      INTEGER CHECK (target_bp BETWEEN 0 AND 10000),
    target_amount  INTEGER CHECK (target_amount >= 0),
    position       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (insats_id, year, key),
    CHECK (CASE type
        WHEN 'share' THEN kind_id IS NOT NULL AND target_bp IS NOT NULL
        WHEN 'count' THEN measure IS NOT NULL AND target_amount IS NOT NULL
                          AND (measure = 'participants' OR kind_id IS NOT NULL)
        ELSE target_amount IS NOT NULL END)
);
INSERT INTO goal_new (id, insats_id, year, key, label, type, kind_id, comparator, target_bp, position)
    SELECT id, insats_id, year, key, label, 'share', kind_id, comparator, target_bp, position FROM goal;

CREATE TABLE goal_value_new (
    goal_id  INTEGER NOT NULL REFERENCES goal (id) ON DELETE CASCADE,
    value_id INTEGER NOT NULL REFERENCES dimension_value (id),
    part     TEXT NOT NULL DEFAULT 'numerator' CHECK (part IN ('numerator', 'denominator')),
    PRIMARY KEY (goal_id, part, value_id)
) WITHOUT ROWID;
INSERT INTO goal_value_new (goal_id, value_id) SELECT goal_id, value_id FROM goal_value;
DROP TABLE goal_value;
DROP TABLE goal;
ALTER TABLE goal_new RENAME TO goal;
ALTER TABLE goal_value_new RENAME TO goal_value;

-- A structural activity (strukturövergripande aktivitet): an event, not a person. Its name and
-- organiser are checked for anything that looks like personal data before they are stored
-- (src/domain/sensitive.rs). by_gender: JSON [[gender value id, attendees], …] where known.
CREATE TABLE event (
    id          INTEGER PRIMARY KEY,
    insats_id   INTEGER NOT NULL REFERENCES insats (id),
    kind_id     INTEGER NOT NULL REFERENCES kind (id),
    year        INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    month       INTEGER NOT NULL CHECK (month BETWEEN 1 AND 12),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    organiser   TEXT NOT NULL DEFAULT '' CHECK (length(organiser) <= 80),
    attendees   INTEGER NOT NULL CHECK (attendees BETWEEN 1 AND 100000),
    by_gender   TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(by_gender) AND json_type(by_gender) = 'array'),
    void_reason TEXT CHECK (void_reason IN ('felregistrering', 'dubblett', 'fel_period', 'fel_insats', 'annat')),
    created_by  INTEGER REFERENCES account (id)
);
CREATE INDEX event_by_year ON event (insats_id, year);

-- The budget and the outcome (utfall) of an insats for a year, in whole kronor.
CREATE TABLE budget (
    insats_id  INTEGER NOT NULL REFERENCES insats (id),
    year       INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    budget_kr  INTEGER CHECK (budget_kr BETWEEN 0 AND 10000000000),
    outcome_kr INTEGER CHECK (outcome_kr BETWEEN 0 AND 10000000000),
    PRIMARY KEY (insats_id, year)
) WITHOUT ROWID;
