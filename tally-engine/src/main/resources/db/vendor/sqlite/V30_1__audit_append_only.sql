-- Audit records are never updated: the database itself refuses an UPDATE.
CREATE TRIGGER audit_records_append_only BEFORE UPDATE ON audit_records
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only');
END;
