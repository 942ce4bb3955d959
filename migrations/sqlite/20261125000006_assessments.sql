-- Assessments: an organisation's self-assessment for a period, pinned to one framework version,
-- with its targets, scopes (the organisation, and named critical systems), answers per outcome,
-- the evidence register, comments, the improvement plan and sign-off snapshots.

CREATE TABLE assessments (
    id              INTEGER PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    title           TEXT NOT NULL,
    period          TEXT NOT NULL,
    framework_id    BIGINT NOT NULL REFERENCES frameworks (id),
    profile_id      BIGINT REFERENCES profiles (id),
    previous_id     BIGINT REFERENCES assessments (id),
    created_by      BIGINT REFERENCES users (id),
    created_at      TEXT NOT NULL,
    UNIQUE (organisation_id, title)
);

CREATE TABLE assessment_targets (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    outcome_id    TEXT NOT NULL,
    target        TEXT NOT NULL CHECK (target IN ('not_achieved', 'partially_achieved', 'achieved')),
    PRIMARY KEY (assessment_id, outcome_id)
);

CREATE TABLE scopes (
    id               INTEGER PRIMARY KEY,
    assessment_id    BIGINT NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('organisation', 'system')),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    position         BIGINT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'returned', 'with_assurer',
                                                     'assured', 'signed_off')),
    state_changed_at TEXT NOT NULL,
    UNIQUE (assessment_id, name)
);

CREATE TABLE scope_outcomes (
    scope_id              BIGINT NOT NULL REFERENCES scopes (id) ON DELETE CASCADE,
    outcome_id            TEXT NOT NULL,
    assignee_id           BIGINT REFERENCES users (id),
    due_date              TEXT,
    confirmed_status      TEXT CHECK (confirmed_status IN ('not_achieved', 'partially_achieved', 'achieved')),
    suggested_status      TEXT NOT NULL,
    status_justification  TEXT NOT NULL DEFAULT '',
    narrative             TEXT NOT NULL DEFAULT '',
    answered              BIGINT NOT NULL DEFAULT 0,
    version               BIGINT NOT NULL DEFAULT 0,
    updated_at            TEXT,
    updated_by            BIGINT REFERENCES users (id),
    PRIMARY KEY (scope_id, outcome_id)
);

CREATE TABLE answers (
    scope_id      BIGINT NOT NULL,
    outcome_id    TEXT NOT NULL,
    indicator_id  TEXT NOT NULL,
    answer        TEXT NOT NULL CHECK (answer IN ('true', 'false', 'not_applicable')),
    justification TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (scope_id, indicator_id),
    FOREIGN KEY (scope_id, outcome_id) REFERENCES scope_outcomes (scope_id, outcome_id) ON DELETE CASCADE
);

CREATE TABLE evidence (
    id              INTEGER PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    kind            TEXT NOT NULL CHECK (kind IN ('file', 'link', 'note')),
    title           TEXT NOT NULL,
    owner           TEXT NOT NULL,
    describes_date  TEXT,
    review_by       TEXT,
    classification  TEXT NOT NULL CHECK (classification IN ('official', 'official_sensitive')),
    url             TEXT,
    note            TEXT,
    file_sha256     TEXT,
    file_name       TEXT,
    file_size       BIGINT,
    media_type      TEXT,
    created_by      BIGINT REFERENCES users (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE INDEX evidence_organisation ON evidence (organisation_id);

CREATE TABLE evidence_links (
    evidence_id BIGINT NOT NULL REFERENCES evidence (id) ON DELETE CASCADE,
    scope_id    BIGINT NOT NULL,
    outcome_id  TEXT NOT NULL,
    linked_by   BIGINT REFERENCES users (id),
    linked_at   TEXT NOT NULL,
    PRIMARY KEY (evidence_id, scope_id, outcome_id),
    FOREIGN KEY (scope_id, outcome_id) REFERENCES scope_outcomes (scope_id, outcome_id) ON DELETE CASCADE
);

CREATE INDEX evidence_links_outcome ON evidence_links (scope_id, outcome_id);

CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    scope_id    BIGINT NOT NULL,
    outcome_id  TEXT NOT NULL,
    author_id   BIGINT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by BIGINT REFERENCES users (id),
    FOREIGN KEY (scope_id, outcome_id) REFERENCES scope_outcomes (scope_id, outcome_id) ON DELETE CASCADE
);

CREATE INDEX comments_outcome ON comments (scope_id, outcome_id);

CREATE TABLE plan_actions (
    id          INTEGER PRIMARY KEY,
    scope_id    BIGINT NOT NULL,
    outcome_id  TEXT NOT NULL,
    description TEXT NOT NULL,
    owner       TEXT NOT NULL,
    due_date    TEXT,
    status      TEXT NOT NULL CHECK (status IN ('proposed', 'open', 'in_progress', 'done', 'declined')),
    notes       TEXT NOT NULL DEFAULT '',
    proposed_by BIGINT REFERENCES users (id),
    proposed_at TEXT NOT NULL,
    accepted_by BIGINT REFERENCES users (id),
    accepted_at TEXT,
    FOREIGN KEY (scope_id, outcome_id) REFERENCES scope_outcomes (scope_id, outcome_id) ON DELETE CASCADE
);

CREATE INDEX plan_actions_outcome ON plan_actions (scope_id, outcome_id);

-- What an approver signed: the canonical JSON of the scope at sign-off and its SHA-256.
CREATE TABLE snapshots (
    id            INTEGER PRIMARY KEY,
    scope_id      BIGINT NOT NULL UNIQUE REFERENCES scopes (id),
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    content       TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    signed_by     BIGINT NOT NULL REFERENCES users (id),
    signed_at     TEXT NOT NULL
);

CREATE INDEX audit_log_object ON audit_log (object, seq);

-- Nothing signed off changes: the snapshot, the scope's answers and its outcome records.
CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON snapshots
BEGIN
    SELECT RAISE(ABORT, 'snapshots are immutable');
END;

CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots
BEGIN
    SELECT RAISE(ABORT, 'snapshots are immutable');
END;

CREATE TRIGGER scopes_signed_off_final BEFORE UPDATE ON scopes
WHEN OLD.state = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER scope_outcomes_signed_off BEFORE UPDATE ON scope_outcomes
WHEN (SELECT state FROM scopes WHERE id = OLD.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER answers_signed_off_insert BEFORE INSERT ON answers
WHEN (SELECT state FROM scopes WHERE id = NEW.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER answers_signed_off_update BEFORE UPDATE ON answers
WHEN (SELECT state FROM scopes WHERE id = OLD.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER answers_signed_off_delete BEFORE DELETE ON answers
WHEN (SELECT state FROM scopes WHERE id = OLD.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER evidence_links_signed_off_insert BEFORE INSERT ON evidence_links
WHEN (SELECT state FROM scopes WHERE id = NEW.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER evidence_links_signed_off_delete BEFORE DELETE ON evidence_links
WHEN (SELECT state FROM scopes WHERE id = OLD.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;
