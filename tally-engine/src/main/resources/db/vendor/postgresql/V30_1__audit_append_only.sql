-- Audit records are never updated: the database itself refuses an UPDATE.
CREATE FUNCTION audit_records_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_records_append_only BEFORE UPDATE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_append_only();
