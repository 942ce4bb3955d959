-- Framework versions and target profiles, stored as versioned data.
-- A version's document is the validated JSON file; its outcomes and indicators are also kept as rows
-- so that answers, targets and crosswalks can reference them with foreign keys.

CREATE TABLE frameworks (
    id            INTEGER PRIMARY KEY,
    version       TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    published     TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    document      TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('bundled', 'imported')),
    registered_at TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    locked_at     TEXT
);

CREATE TABLE framework_outcomes (
    framework_id  BIGINT NOT NULL REFERENCES frameworks (id) ON DELETE CASCADE,
    outcome_id    TEXT NOT NULL,
    objective_id  TEXT NOT NULL,
    principle_id  TEXT NOT NULL,
    title         TEXT NOT NULL,
    position      BIGINT NOT NULL,
    PRIMARY KEY (framework_id, outcome_id)
);

CREATE TABLE framework_indicators (
    framework_id  BIGINT NOT NULL,
    indicator_id  TEXT NOT NULL,
    outcome_id    TEXT NOT NULL,
    status_column TEXT NOT NULL CHECK (status_column IN ('not_achieved', 'partially_achieved', 'achieved')),
    position      BIGINT NOT NULL,
    text          TEXT NOT NULL,
    PRIMARY KEY (framework_id, indicator_id),
    FOREIGN KEY (framework_id, outcome_id)
        REFERENCES framework_outcomes (framework_id, outcome_id) ON DELETE CASCADE
);

CREATE TABLE profiles (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    framework_id  BIGINT NOT NULL REFERENCES frameworks (id),
    name          TEXT NOT NULL,
    certainty     TEXT NOT NULL CHECK (certainty IN ('published', 'less_certain')),
    source        TEXT NOT NULL,
    caveat        TEXT,
    content_hash  TEXT NOT NULL,
    origin        TEXT NOT NULL CHECK (origin IN ('bundled', 'imported')),
    registered_at TEXT NOT NULL
);

CREATE TABLE profile_targets (
    profile_id    BIGINT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    framework_id  BIGINT NOT NULL,
    outcome_id    TEXT NOT NULL,
    target        TEXT NOT NULL CHECK (target IN ('not_achieved', 'partially_achieved', 'achieved')),
    PRIMARY KEY (profile_id, outcome_id),
    FOREIGN KEY (framework_id, outcome_id)
        REFERENCES framework_outcomes (framework_id, outcome_id) ON DELETE RESTRICT
);
