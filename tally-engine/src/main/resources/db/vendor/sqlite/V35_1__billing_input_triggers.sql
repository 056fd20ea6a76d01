-- Keeps billing_input_versions (V35): every insert, update and delete of a billing input moves the counter of its
-- customer (or the tenant-wide one, customer_id ''), in the writing transaction. See docs/BILLING.md.

CREATE TRIGGER billing_input_customers_insert AFTER INSERT ON customers
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.external_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_customers_update AFTER UPDATE ON customers
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.external_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_customers_delete AFTER DELETE ON customers
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, OLD.external_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_customer_versions_insert AFTER INSERT ON customer_versions
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.external_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_customer_versions_update AFTER UPDATE ON customer_versions
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.external_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_customer_versions_delete AFTER DELETE ON customer_versions
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, OLD.external_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_customer_zones_insert AFTER INSERT ON customer_zones
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.external_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_customer_zones_update AFTER UPDATE ON customer_zones
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.external_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_customer_zones_delete AFTER DELETE ON customer_zones
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, OLD.external_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_subscriptions_insert AFTER INSERT ON subscriptions
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_subscriptions_update AFTER UPDATE OF customer_id, anchor, start_at, trial_end_at, end_at, phases, created_at ON subscriptions
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_subscriptions_delete AFTER DELETE ON subscriptions
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, OLD.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_commitments_insert AFTER INSERT ON commitments
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_commitments_update AFTER UPDATE ON commitments
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_commitments_delete AFTER DELETE ON commitments
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, OLD.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_credit_wallets_insert AFTER INSERT ON credit_wallets
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_credit_wallets_update AFTER UPDATE ON credit_wallets
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_credit_wallets_delete AFTER DELETE ON credit_wallets
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, OLD.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_credit_grants_insert AFTER INSERT ON credit_grants
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_credit_grants_update AFTER UPDATE ON credit_grants
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_credit_grants_delete AFTER DELETE ON credit_grants
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, OLD.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_credit_entries_insert AFTER INSERT ON credit_entries
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_credit_entries_update AFTER UPDATE ON credit_entries
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_credit_entries_delete AFTER DELETE ON credit_entries
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, OLD.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_subscription_quantities_insert AFTER INSERT ON subscription_quantities
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, COALESCE((SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_subscription_quantities_update AFTER UPDATE ON subscription_quantities
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, COALESCE((SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_subscription_quantities_delete AFTER DELETE ON subscription_quantities
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, COALESCE((SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_price_overrides_insert AFTER INSERT ON price_overrides
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, COALESCE((SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_price_overrides_update AFTER UPDATE ON price_overrides
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, COALESCE((SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_price_overrides_delete AFTER DELETE ON price_overrides
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, COALESCE((SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_coupon_redemptions_insert AFTER INSERT ON coupon_redemptions
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, COALESCE((SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_coupon_redemptions_update AFTER UPDATE ON coupon_redemptions
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, COALESCE((SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_coupon_redemptions_delete AFTER DELETE ON coupon_redemptions
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, COALESCE((SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_commitment_entries_insert AFTER INSERT ON commitment_entries
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, COALESCE((SELECT m.customer_id FROM commitments m WHERE m.id = NEW.commitment_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_commitment_entries_update AFTER UPDATE ON commitment_entries
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, COALESCE((SELECT m.customer_id FROM commitments m WHERE m.id = NEW.commitment_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_commitment_entries_delete AFTER DELETE ON commitment_entries
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, COALESCE((SELECT m.customer_id FROM commitments m WHERE m.id = OLD.commitment_id), ''), 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_coupons_insert AFTER INSERT ON coupons
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_coupons_update AFTER UPDATE ON coupons
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_coupons_delete AFTER DELETE ON coupons
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_plans_insert AFTER INSERT ON plans
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_plans_update AFTER UPDATE ON plans
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_plans_delete AFTER DELETE ON plans
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_meters_insert AFTER INSERT ON meters
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_meters_update AFTER UPDATE ON meters
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_meters_delete AFTER DELETE ON meters
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_meter_generations_insert AFTER INSERT ON meter_generations
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_meter_generations_update AFTER UPDATE ON meter_generations
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_meter_generations_delete AFTER DELETE ON meter_generations
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_billing_settings_insert AFTER INSERT ON billing_settings
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_billing_settings_update AFTER UPDATE ON billing_settings
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_billing_settings_delete AFTER DELETE ON billing_settings
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, '', 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_invoices_status AFTER UPDATE OF status ON invoices WHEN OLD.status IS NOT NEW.status
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT NEW.tenant_id, NEW.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

CREATE TRIGGER billing_input_invoices_delete AFTER DELETE ON invoices
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) SELECT OLD.tenant_id, OLD.customer_id, 1 WHERE true
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END;

-- (+status: the subscription's invoices are found by the (tenant, subscription, boundary) index, never by
-- scanning the tenant's drafts)
CREATE TRIGGER billing_input_invoices_insert AFTER INSERT ON invoices
BEGIN
    UPDATE invoices SET rating = NULL WHERE tenant_id = NEW.tenant_id AND subscription_id = NEW.subscription_id
        AND +status = 'draft' AND id <> NEW.id AND rating IS NOT NULL;
END;

CREATE TRIGGER billing_input_invoices_lines AFTER UPDATE OF body ON invoices WHEN OLD.body IS NOT NEW.body
BEGIN
    UPDATE invoices SET rating = NULL WHERE tenant_id = NEW.tenant_id AND subscription_id = NEW.subscription_id
        AND +status = 'draft' AND id <> NEW.id AND rating IS NOT NULL;
END;
