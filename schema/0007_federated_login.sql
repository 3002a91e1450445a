-- Pinne schema, version 7: sign-in with the municipality's account (OpenID Connect, src/oidc.rs,
-- docs/OIDC.md).
--
-- A federated account signs in at the identity provider, never with a password here (its
-- password_hash is a marker that no password matches). It is linked to the provider's issuer and
-- subject (`sub`, stable and never reassigned by the provider) at its first sign-in.
-- federated_at: Unix seconds of the last sign-in through the provider, so API tokens of an account
-- whose owner no longer signs in stop working (src/web/auth.rs).
ALTER TABLE account ADD COLUMN federated INTEGER NOT NULL DEFAULT 0 CHECK (federated IN (0, 1));
ALTER TABLE account ADD COLUMN oidc_issuer TEXT;
ALTER TABLE account ADD COLUMN oidc_subject TEXT;
ALTER TABLE account ADD COLUMN federated_at INTEGER;
CREATE UNIQUE INDEX account_by_subject ON account (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;

-- A session made by a federated sign-in: whether the provider asserted a second factor (amr/acr),
-- and the ID token as the hint for signing out at the provider (RP-initiated logout). Deleted with
-- the session.
ALTER TABLE session ADD COLUMN provider_mfa INTEGER NOT NULL DEFAULT 0 CHECK (provider_mfa IN (0, 1));
ALTER TABLE session ADD COLUMN id_token TEXT;

-- A sign-in under way at the provider: single use, at most ten minutes old. state_hash is the
-- SHA-256 of the `state` sent to the provider; browser_hash the SHA-256 of a random value in a
-- cookie of the browser that started it, so a callback from another browser is refused (login
-- CSRF). nonce and the PKCE verifier are random per attempt.
CREATE TABLE oidc_attempt (
    state_hash    BLOB PRIMARY KEY,
    browser_hash  BLOB NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) WITHOUT ROWID;
