-- Goals as the annual reports read them (issue 14).
--   partial_target  the other end of a "delvis uppfyllt" band, in the target's unit (basis points for
--                   a share, the number or kronor otherwise): a goal "minst 75 %" with partial 65 %
--                   is partly met from 65 % up to 75 %. NULL: no band.
--   expectation     1: the figure is an expected outcome (a "förväntan", such as "15 % avslutas mot
--                   vården"), not a floor or a ceiling to steer by; reported without the distances.
--   unit            for a share of survey answers: 'answers' (every answer to the goal's questions
--                   counts once) or 'respondents' (a returned questionnaire counts once: positive
--                   when every one of the goal's questions it answers is answered positively).
ALTER TABLE goal ADD COLUMN partial_target INTEGER CHECK (partial_target >= 0);
ALTER TABLE goal ADD COLUMN expectation INTEGER NOT NULL DEFAULT 0 CHECK (expectation IN (0, 1));
ALTER TABLE goal ADD COLUMN unit TEXT NOT NULL DEFAULT 'answers' CHECK (unit IN ('answers', 'respondents'));

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
