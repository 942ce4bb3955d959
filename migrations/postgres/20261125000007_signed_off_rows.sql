-- A signed-off scope keeps every row it had: its outcome records cannot be added or deleted,
-- and no answer, outcome record or evidence link can be moved into or out of it.

CREATE FUNCTION scope_rows_signed_off_either() RETURNS trigger AS $$
BEGIN
    IF (TG_OP IN ('UPDATE', 'DELETE')
            AND (SELECT state FROM scopes WHERE id = OLD.scope_id) = 'signed_off')
        OR (TG_OP IN ('INSERT', 'UPDATE')
            AND (SELECT state FROM scopes WHERE id = NEW.scope_id) = 'signed_off') THEN
        RAISE EXCEPTION 'a signed-off scope cannot change';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER scope_outcomes_signed_off_rows BEFORE INSERT OR UPDATE OR DELETE ON scope_outcomes
    FOR EACH ROW EXECUTE FUNCTION scope_rows_signed_off_either();

CREATE TRIGGER answers_signed_off_move_in BEFORE UPDATE ON answers
    FOR EACH ROW EXECUTE FUNCTION scope_rows_signed_off_either();

CREATE TRIGGER evidence_links_signed_off_update BEFORE UPDATE ON evidence_links
    FOR EACH ROW EXECUTE FUNCTION scope_rows_signed_off_either();
