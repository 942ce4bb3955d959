-- Second factors, recovery codes, one-time set-up and invite links, and failed sign-in attempts.

-- A WebAuthn credential (security key or passkey). The webauthn-rs Passkey is kept as JSON; the
-- signature counter and backup flags are copied into columns so they can be checked and shown.
CREATE TABLE security_keys (
    id              INTEGER PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id   TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    passkey         TEXT NOT NULL,
    sign_count      BIGINT NOT NULL DEFAULT 0,
    backup_eligible BIGINT NOT NULL DEFAULT 0 CHECK (backup_eligible IN (0, 1)),
    backup_state    BIGINT NOT NULL DEFAULT 0 CHECK (backup_state IN (0, 1)),
    created_at      TEXT NOT NULL,
    last_used_at    TEXT
);

CREATE INDEX security_keys_user ON security_keys (user_id);

-- Single-use recovery codes, stored as SHA-256 digests (each code carries 80 random bits).
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- One-time links: the first-run set-up link and invitations. Only the token's SHA-256 is kept.
CREATE TABLE one_time_links (
    id              INTEGER PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE,
    purpose         TEXT NOT NULL CHECK (purpose IN ('setup', 'invite')),
    email           TEXT,
    display_name    TEXT,
    organisation_id BIGINT REFERENCES organisations (id) ON DELETE CASCADE,
    role            TEXT,
    platform_admin  BIGINT NOT NULL DEFAULT 0 CHECK (platform_admin IN (0, 1)),
    created_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT
);

-- Failed password and key attempts, per account ('account:<email>') and per address
-- ('address:<ip>'), for throttling. Rows older than the window are pruned.
CREATE TABLE sign_in_failures (
    id      INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    at      BIGINT NOT NULL
);

CREATE INDEX sign_in_failures_subject ON sign_in_failures (subject, at);

-- WebAuthn ceremonies under way. The session holds only the random id; taking a ceremony deletes
-- its row in the same statement, so a challenge can be answered once at most.
CREATE TABLE webauthn_ceremonies (
    id         TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
