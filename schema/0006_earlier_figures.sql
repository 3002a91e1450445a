-- Pinne schema, version 6: figures from earlier annual reports (src/domain/earlier.rs).
-- Published marginal figures of years before the first tallied one (participants by gender and by
-- category, exits by reason, survey shares), and the number enrolled at the start of the first
-- tallied year ('inskrivna', the only ones that enter the flow arithmetic). Ids are those of the
-- configuration; 0 stands for "all". A figure is a count or a share, never both.
CREATE TABLE earlier_figure (
    insats_id       INTEGER NOT NULL REFERENCES insats (id),
    year            INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    measure         TEXT NOT NULL CHECK (measure IN ('deltagare', 'avslut', 'positiva', 'inskrivna')),
    kind_id         INTEGER NOT NULL DEFAULT 0,
    dimension_id    INTEGER NOT NULL DEFAULT 0,
    value_id        INTEGER NOT NULL DEFAULT 0,
    scope_value_id  INTEGER NOT NULL DEFAULT 0,
    gender_value_id INTEGER NOT NULL DEFAULT 0,
    count           INTEGER CHECK (count BETWEEN 0 AND 1000000),
    share           REAL CHECK (share BETWEEN 0 AND 1),
    CHECK ((count IS NULL) <> (share IS NULL)),
    PRIMARY KEY (insats_id, year, measure, kind_id, dimension_id, value_id, scope_value_id, gender_value_id)
) WITHOUT ROWID;
