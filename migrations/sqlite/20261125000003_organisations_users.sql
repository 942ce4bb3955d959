-- Organisations (a council, or a partner hosted on the same instance), people and their roles.

CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('council', 'partner')),
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    email             TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL,
    password_hash     TEXT,
    webauthn_user_id  TEXT NOT NULL UNIQUE,
    is_platform_admin BIGINT NOT NULL DEFAULT 0 CHECK (is_platform_admin IN (0, 1)),
    disabled_at       TEXT,
    created_at        TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('org_admin', 'caf_lead', 'assessor', 'reviewer',
                                                  'approver', 'board_viewer', 'external_assurer')),
    expires_at      TEXT,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (user_id, organisation_id)
);

CREATE INDEX memberships_organisation ON memberships (organisation_id);
