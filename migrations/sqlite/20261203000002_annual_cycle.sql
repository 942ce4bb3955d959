-- The annual cycle: critical systems that live from year to year, and next year's assessment
-- carried forward from a signed-off one.

-- A critical system is the organisation's; each assessment's system scope points at one, so a
-- system keeps one history across years even when it is renamed.
CREATE TABLE critical_systems (
    id              INTEGER PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    UNIQUE (organisation_id, name)
);

-- The scope a scope was carried forward from, and how: 'fresh' (nothing carried), 'light'
-- (carried for a light review: re-confirm unchanged outcomes in bulk) or 'update' (carried for
-- review and update: each outcome re-confirmed on its own page).
ALTER TABLE scopes ADD COLUMN system_id BIGINT REFERENCES critical_systems (id);
ALTER TABLE scopes ADD COLUMN previous_scope_id BIGINT REFERENCES scopes (id);
ALTER TABLE scopes ADD COLUMN carry_approach TEXT NOT NULL DEFAULT 'fresh'
    CHECK (carry_approach IN ('fresh', 'light', 'update'));

-- An outcome record carried from last year names the outcome it came from; it counts as
-- re-confirmed once a person has looked at it again.
ALTER TABLE scope_outcomes ADD COLUMN carried_from TEXT;
ALTER TABLE scope_outcomes ADD COLUMN reconfirmed_at TEXT;
ALTER TABLE scope_outcomes ADD COLUMN reconfirmed_by BIGINT REFERENCES users (id);

CREATE INDEX scopes_system ON scopes (system_id);
CREATE INDEX assessments_previous ON assessments (previous_id);

-- Existing system scopes become the organisation's critical systems, one per name.
INSERT INTO critical_systems (organisation_id, name, description, created_at)
SELECT a.organisation_id, s.name, MAX(s.description), MIN(a.created_at)
FROM scopes s JOIN assessments a ON a.id = s.assessment_id
WHERE s.kind = 'system'
GROUP BY a.organisation_id, s.name;

DROP TRIGGER scopes_signed_off_final;

UPDATE scopes SET system_id = (
    SELECT c.id FROM critical_systems c JOIN assessments a ON a.organisation_id = c.organisation_id
    WHERE a.id = scopes.assessment_id AND c.name = scopes.name
) WHERE kind = 'system';

CREATE TRIGGER scopes_signed_off_final BEFORE UPDATE ON scopes
WHEN OLD.state = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;
