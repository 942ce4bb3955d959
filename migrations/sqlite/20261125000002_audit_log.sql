-- The audit log: append-only and chained by hash, so a deleted or edited record is detectable.
-- audit_head holds the sequence number and hash of the newest record; appending updates it first,
-- which serialises writers and lets a verifier notice records cut from the end.

CREATE TABLE audit_log (
    seq             BIGINT PRIMARY KEY,
    occurred_at     TEXT NOT NULL,
    actor_id        BIGINT,
    actor           TEXT NOT NULL,
    organisation_id BIGINT,
    action          TEXT NOT NULL,
    object          TEXT NOT NULL,
    address         TEXT,
    detail          TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL UNIQUE
);

CREATE INDEX audit_log_organisation ON audit_log (organisation_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);

CREATE TABLE audit_head (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    seq       BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);

INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
