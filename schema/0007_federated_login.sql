-- Pinne schema, version 7: sign-in with the municipality's account (OpenID Connect, src/oidc.rs,
-- docs/OIDC.md).
--
-- A federated account signs in at the identity provider, never with a password here (its
-- password_hash is a marker that no password matches). It is linked to the provider's issuer and
-- subject (`sub`, stable and never reassigned by the provider) at its first sign-in.
-- federated_at: Unix seconds of the last sign-in through the provider, so API tokens of an account
-- whose owner no longer signs in stop working (src/web/auth.rs).
-- federated_mfa: whether that last sign-in had a second factor asserted by the provider (a
-- förbundschef's API tokens need one of the two factors: this or TOTP in Pinne).
-- federated_mfa_seen: whether any sign-in ever had one; until then a förbundschef may set up TOTP
-- right after signing in (as a new local account may after its first password login), afterwards
-- a sign-in without either is refused.
ALTER TABLE account ADD COLUMN federated INTEGER NOT NULL DEFAULT 0 CHECK (federated IN (0, 1));
ALTER TABLE account ADD COLUMN oidc_issuer TEXT;
ALTER TABLE account ADD COLUMN oidc_subject TEXT;
ALTER TABLE account ADD COLUMN federated_at INTEGER;
ALTER TABLE account ADD COLUMN federated_mfa INTEGER NOT NULL DEFAULT 0 CHECK (federated_mfa IN (0, 1));
ALTER TABLE account ADD COLUMN federated_mfa_seen INTEGER NOT NULL DEFAULT 0 CHECK (federated_mfa_seen IN (0, 1));
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
