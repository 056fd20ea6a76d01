-- Keeps billing_input_versions (V35): every insert, update and delete of a billing input moves the counter of its
-- customer (or the tenant-wide one, customer_id ''), in the writing transaction. See docs/BILLING.md.

CREATE FUNCTION tally_bump_billing_input(t TEXT, c TEXT) RETURNS void AS $$
BEGIN
    INSERT INTO billing_input_versions (tenant_id, customer_id, version) VALUES (t, COALESCE(c, ''), 1)
        ON CONFLICT (tenant_id, customer_id) DO UPDATE SET version = billing_input_versions.version + 1;
END
$$ LANGUAGE plpgsql;

CREATE FUNCTION tally_billing_input_customers() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, NEW.external_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.external_id);
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, OLD.external_id) IS DISTINCT FROM (NEW.tenant_id, NEW.external_id) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.external_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_customers AFTER INSERT OR UPDATE OR DELETE ON customers
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_customers();

CREATE FUNCTION tally_billing_input_customer_versions() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, NEW.external_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.external_id);
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, OLD.external_id) IS DISTINCT FROM (NEW.tenant_id, NEW.external_id) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.external_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_customer_versions AFTER INSERT OR UPDATE OR DELETE ON customer_versions
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_customer_versions();

CREATE FUNCTION tally_billing_input_customer_zones() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, NEW.external_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.external_id);
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, OLD.external_id) IS DISTINCT FROM (NEW.tenant_id, NEW.external_id) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.external_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_customer_zones AFTER INSERT OR UPDATE OR DELETE ON customer_zones
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_customer_zones();

CREATE FUNCTION tally_billing_input_subscriptions() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, NEW.customer_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, OLD.customer_id) IS DISTINCT FROM (NEW.tenant_id, NEW.customer_id) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_subscriptions AFTER INSERT OR DELETE ON subscriptions
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_subscriptions();
CREATE TRIGGER billing_input_subscriptions_update AFTER UPDATE ON subscriptions
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.anchor IS DISTINCT FROM NEW.anchor OR OLD.start_at IS DISTINCT FROM NEW.start_at OR OLD.trial_end_at IS DISTINCT FROM NEW.trial_end_at OR OLD.end_at IS DISTINCT FROM NEW.end_at OR OLD.phases IS DISTINCT FROM NEW.phases OR OLD.created_at IS DISTINCT FROM NEW.created_at) EXECUTE FUNCTION tally_billing_input_subscriptions();

CREATE FUNCTION tally_billing_input_commitments() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, NEW.customer_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, OLD.customer_id) IS DISTINCT FROM (NEW.tenant_id, NEW.customer_id) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_commitments AFTER INSERT OR UPDATE OR DELETE ON commitments
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_commitments();

CREATE FUNCTION tally_billing_input_credit_wallets() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, NEW.customer_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, OLD.customer_id) IS DISTINCT FROM (NEW.tenant_id, NEW.customer_id) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_credit_wallets AFTER INSERT OR UPDATE OR DELETE ON credit_wallets
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_credit_wallets();

CREATE FUNCTION tally_billing_input_credit_grants() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, NEW.customer_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, OLD.customer_id) IS DISTINCT FROM (NEW.tenant_id, NEW.customer_id) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_credit_grants AFTER INSERT OR UPDATE OR DELETE ON credit_grants
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_credit_grants();

CREATE FUNCTION tally_billing_input_credit_entries() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, NEW.customer_id);
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, OLD.customer_id) IS DISTINCT FROM (NEW.tenant_id, NEW.customer_id) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_credit_entries AFTER INSERT OR UPDATE OR DELETE ON credit_entries
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_credit_entries();

CREATE FUNCTION tally_billing_input_subscription_quantities() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id));
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id));
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id)) IS DISTINCT FROM (NEW.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id)) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id));
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_subscription_quantities AFTER INSERT OR UPDATE OR DELETE ON subscription_quantities
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_subscription_quantities();

CREATE FUNCTION tally_billing_input_price_overrides() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id));
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id));
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id)) IS DISTINCT FROM (NEW.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id)) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id));
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_price_overrides AFTER INSERT OR UPDATE OR DELETE ON price_overrides
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_price_overrides();

CREATE FUNCTION tally_billing_input_coupon_redemptions() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id));
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id));
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id)) IS DISTINCT FROM (NEW.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = NEW.subscription_id)) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, (SELECT s.customer_id FROM subscriptions s WHERE s.id = OLD.subscription_id));
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_coupon_redemptions AFTER INSERT OR UPDATE OR DELETE ON coupon_redemptions
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_coupon_redemptions();

CREATE FUNCTION tally_billing_input_commitment_entries() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, (SELECT m.customer_id FROM commitments m WHERE m.id = NEW.commitment_id));
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, (SELECT m.customer_id FROM commitments m WHERE m.id = OLD.commitment_id));
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, (SELECT m.customer_id FROM commitments m WHERE m.id = OLD.commitment_id)) IS DISTINCT FROM (NEW.tenant_id, (SELECT m.customer_id FROM commitments m WHERE m.id = NEW.commitment_id)) THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, (SELECT m.customer_id FROM commitments m WHERE m.id = OLD.commitment_id));
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_commitment_entries AFTER INSERT OR UPDATE OR DELETE ON commitment_entries
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_commitment_entries();

CREATE FUNCTION tally_billing_input_coupons() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, '');
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, '');
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, '') IS DISTINCT FROM (NEW.tenant_id, '') THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, '');
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_coupons AFTER INSERT OR UPDATE OR DELETE ON coupons
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_coupons();

CREATE FUNCTION tally_billing_input_plans() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, '');
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, '');
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, '') IS DISTINCT FROM (NEW.tenant_id, '') THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, '');
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_plans AFTER INSERT OR UPDATE OR DELETE ON plans
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_plans();

CREATE FUNCTION tally_billing_input_meters() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, '');
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, '');
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, '') IS DISTINCT FROM (NEW.tenant_id, '') THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, '');
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_meters AFTER INSERT OR UPDATE OR DELETE ON meters
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_meters();

CREATE FUNCTION tally_billing_input_meter_generations() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, '');
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, '');
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, '') IS DISTINCT FROM (NEW.tenant_id, '') THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, '');
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_meter_generations AFTER INSERT OR UPDATE OR DELETE ON meter_generations
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_meter_generations();

CREATE FUNCTION tally_billing_input_billing_settings() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, '');
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, '');
    ELSIF TG_OP = 'UPDATE' THEN
        IF (OLD.tenant_id, '') IS DISTINCT FROM (NEW.tenant_id, '') THEN
            PERFORM tally_bump_billing_input(OLD.tenant_id, '');
        END IF;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_billing_settings AFTER INSERT OR UPDATE OR DELETE ON billing_settings
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_billing_settings();

CREATE FUNCTION tally_billing_input_invoices() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM tally_bump_billing_input(OLD.tenant_id, OLD.customer_id);
    ELSIF TG_OP = 'UPDATE' AND OLD.status IS DISTINCT FROM NEW.status THEN
        PERFORM tally_bump_billing_input(NEW.tenant_id, NEW.customer_id);
    ELSE
        -- a new invoice, or a draft whose lines changed: the subscription's other drafts read it as an earlier invoice
        UPDATE invoices SET rating = NULL WHERE tenant_id = NEW.tenant_id AND subscription_id = NEW.subscription_id
            AND status = 'draft' AND id <> NEW.id AND rating IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_input_invoices AFTER INSERT OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION tally_billing_input_invoices();
CREATE TRIGGER billing_input_invoices_update AFTER UPDATE ON invoices
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.body IS DISTINCT FROM NEW.body)
    EXECUTE FUNCTION tally_billing_input_invoices();
