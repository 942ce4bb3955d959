-- Server-side sessions (tower-sessions). Only a SHA-256 of each session id is stored, so reading
-- this table does not give anyone a live session. user_id lets "sign out everywhere" and
-- disabling a user end every session at once.

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
