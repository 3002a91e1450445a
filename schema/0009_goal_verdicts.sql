-- Goals as the annual reports read them, and goals for spans of years (issue 14).
--   partial_target  the other end of a "delvis uppfyllt" band, in the target's unit (basis points for
--                   a share, the number or kronor otherwise): a goal "minst 75 %" with partial 65 %
--                   is partly met from 65 % up to 75 %. NULL: no band.
--   expectation     1: the figure is an expected outcome (a "förväntan", such as "15 % avslutas mot
--                   vården"), not a floor or a ceiling to steer by; reported without the distances.
--   unit            for a share of survey answers: 'answers' (every answer to the goal's questions
--                   counts once) or 'respondents' (a returned questionnaire counts once: positive
--                   when every one of the goal's questions it answers is answered positively).
--   first_year      a goal for a span of years (first_year to year, e.g. Ciceron's "60 deltagare
--                   under projekttiden" 2024–2027); first_year = year for a yearly goal.
-- The table is rebuilt (SQLite's procedure) so that a span's goal keys are unique per span.
CREATE TABLE goal_new (
    id             INTEGER PRIMARY KEY,
    insats_id      INTEGER NOT NULL REFERENCES insats (id),
    first_year     INTEGER NOT NULL,
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
    partial_target INTEGER CHECK (partial_target >= 0),
    expectation    INTEGER NOT NULL DEFAULT 0 CHECK (expectation IN (0, 1)),
    unit           TEXT NOT NULL DEFAULT 'answers' CHECK (unit IN ('answers', 'respondents')),
    UNIQUE (insats_id, first_year, year, key),
    CHECK (first_year BETWEEN 2000 AND year),
    CHECK (CASE type
        WHEN 'share' THEN kind_id IS NOT NULL AND target_bp IS NOT NULL
        WHEN 'count' THEN measure IS NOT NULL AND target_amount IS NOT NULL
                          AND (measure = 'participants' OR kind_id IS NOT NULL)
        ELSE target_amount IS NOT NULL END)
);
INSERT INTO goal_new (id, insats_id, first_year, year, key, label, type, kind_id, measure, scope_value_id,
                      comparator, target_bp, target_amount, position)
    SELECT id, insats_id, year, year, key, label, type, kind_id, measure, scope_value_id,
           comparator, target_bp, target_amount, position FROM goal;
DROP TABLE goal;
ALTER TABLE goal_new RENAME TO goal;

-- The spans of years goals were set for (possibly to none): the spans published to readers. They
-- are protected after every year and after each other in this order (id), so that no difference of
-- two of them, or of one and the years, gives a hidden figure away.
CREATE TABLE goal_span (
    id         INTEGER PRIMARY KEY,
    insats_id  INTEGER NOT NULL REFERENCES insats (id),
    first_year INTEGER NOT NULL,
    last_year  INTEGER NOT NULL,
    UNIQUE (insats_id, first_year, last_year),
    CHECK (2000 <= first_year AND first_year < last_year AND last_year <= 2999)
);

-- How each returned questionnaire answered: per insats, kind, month, scope value and gender value,
-- the number of tallies with exactly these answers to the kind's survey questions (pattern: the
-- question dimension and answer value ids, "dimension:value" joined by ',' in dimension order; a
-- question left unanswered is not in it). Kept by every insert and void in the same transaction, so
-- a goal by respondent never reads raw tallies. k: the sum of the tallies' record keys.
CREATE TABLE answer_count (
    insats_id      INTEGER NOT NULL,
    kind_id        INTEGER NOT NULL,
    year           INTEGER NOT NULL,
    month          INTEGER NOT NULL,
    scope_value_id INTEGER NOT NULL,
    split_value_id INTEGER NOT NULL,
    pattern        TEXT NOT NULL,
    n              INTEGER NOT NULL,
    k              INTEGER NOT NULL,
    PRIMARY KEY (insats_id, year, kind_id, month, scope_value_id, split_value_id, pattern)
) WITHOUT ROWID;

INSERT INTO answer_count (insats_id, kind_id, year, month, scope_value_id, split_value_id, pattern, n, k)
SELECT insats_id, kind_id, year, month, scope_value_id, split_value_id, pattern, count(*), sum(record_key)
FROM (
    SELECT t.insats_id, t.kind_id, t.year, t.month, t.scope_value_id, t.split_value_id, t.record_key,
           (SELECT group_concat(d.id || ':' || json_extract(j.value, '$[1]'), ',' ORDER BY d.id)
            FROM json_each(t.value_ids) j JOIN dimension d ON d.id = json_extract(j.value, '$[0]')
            WHERE d.role = 'question') AS pattern
    FROM tally t WHERE t.void_reason IS NULL
)
WHERE pattern IS NOT NULL
GROUP BY insats_id, kind_id, year, month, scope_value_id, split_value_id, pattern;

-- How the national follow-up system (Uppföljning Finsam) takes an insats: 'participants' (people
-- during the year), 'volume' (people met: its tallies) or 'none' (not reported there; its
-- structural activities still are). NULL: as its tallies suggest (participants for an insats with
-- entries and exits, volume otherwise).
ALTER TABLE insats ADD COLUMN national TEXT CHECK (national IN ('participants', 'volume', 'none'));
