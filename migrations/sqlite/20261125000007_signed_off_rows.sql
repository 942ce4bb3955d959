-- A signed-off scope keeps every row it had: its outcome records cannot be added or deleted,
-- and no answer, outcome record or evidence link can be moved into or out of it.

CREATE TRIGGER scope_outcomes_signed_off_insert BEFORE INSERT ON scope_outcomes
WHEN (SELECT state FROM scopes WHERE id = NEW.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER scope_outcomes_signed_off_delete BEFORE DELETE ON scope_outcomes
WHEN (SELECT state FROM scopes WHERE id = OLD.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER scope_outcomes_signed_off_move_in BEFORE UPDATE ON scope_outcomes
WHEN (SELECT state FROM scopes WHERE id = NEW.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER answers_signed_off_move_in BEFORE UPDATE ON answers
WHEN (SELECT state FROM scopes WHERE id = NEW.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;

CREATE TRIGGER evidence_links_signed_off_update BEFORE UPDATE ON evidence_links
WHEN (SELECT state FROM scopes WHERE id = OLD.scope_id) = 'signed_off'
  OR (SELECT state FROM scopes WHERE id = NEW.scope_id) = 'signed_off'
BEGIN
    SELECT RAISE(ABORT, 'a signed-off scope cannot change');
END;
