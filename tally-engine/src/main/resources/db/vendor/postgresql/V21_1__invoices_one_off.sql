-- A one-off invoice (the purchase of credits) has no subscription; SQLite does the same in
-- db.vendor.sqlite.V21_1__invoices_one_off (a Java migration).
ALTER TABLE invoices ALTER COLUMN subscription_id DROP NOT NULL;
