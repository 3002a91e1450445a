-- Pinne schema, version 2: accounts, sessions, API tokens, login throttling, closed years and the
-- audit log. Accounts are staff; nothing here is about participants.

CREATE TABLE account (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
    role          TEXT NOT NULL CHECK (role IN ('coach', 'huvudman', 'forbundschef', 'lasare')),
    -- argon2id PHC string
    password_hash TEXT NOT NULL,
    -- base32 TOTP secret once the second factor is set up
    totp_secret   TEXT,
    -- the last TOTP time step accepted, so a code is accepted only once (RFC 6238 §5.2)
    totp_last_step INTEGER,
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT NOT NULL
);

-- The insatser a coach or huvudman works with (förbundschef and läsare see all).
CREATE TABLE account_insats (
    account_id INTEGER NOT NULL REFERENCES account (id),
    insats_id  INTEGER NOT NULL REFERENCES insats (id),
    PRIMARY KEY (account_id, insats_id)
) WITHOUT ROWID;

-- token_hash: SHA-256 of the random cookie value; the value itself is never stored.
-- Times are Unix seconds (UTC).
CREATE TABLE session (
    token_hash   BLOB PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES account (id),
    csrf         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    seen_at      INTEGER NOT NULL,
    -- 0 while the password is checked but the TOTP code is not yet
    second_factor INTEGER NOT NULL CHECK (second_factor IN (0, 1))
) WITHOUT ROWID;
CREATE INDEX session_by_account ON session (account_id);

CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES account (id),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    token_hash   BLOB NOT NULL UNIQUE,
    read_only    INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

-- Failed logins, per account name and per client address, for throttling. Pruned as they age.
CREATE TABLE login_failure (
    subject TEXT NOT NULL,
    at      INTEGER NOT NULL
);
CREATE INDEX login_failure_by_subject ON login_failure (subject, at);

CREATE TABLE year_closure (
    insats_id  INTEGER NOT NULL REFERENCES insats (id),
    year       INTEGER NOT NULL,
    closed_by  INTEGER NOT NULL REFERENCES account (id),
    closed_at  TEXT NOT NULL,
    PRIMARY KEY (insats_id, year)
) WITHOUT ROWID;

-- Append-only: who, when (UTC), what, from where. Never a secret, never participant data.
CREATE TABLE audit (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    account_id   INTEGER,
    account_name TEXT,
    action       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    address      TEXT
);
CREATE INDEX audit_by_action ON audit (action, id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Who registered a tally (so its author may undo it while the year is open).
ALTER TABLE tally ADD COLUMN created_by INTEGER REFERENCES account (id);
