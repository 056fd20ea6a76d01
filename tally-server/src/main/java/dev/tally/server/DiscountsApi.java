package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.discount.Coupon;
import dev.tally.core.discount.OverrideVersion;
import dev.tally.core.discount.Redemption;
import dev.tally.engine.Engine;
import dev.tally.engine.discount.DiscountJson;
import dev.tally.engine.discount.Discounts;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * A subscription's negotiated prices and discounts over HTTP: price overrides (create, add a version, end, list with
 * their versions), the tenant's coupons (create, list, read, archive) and a subscription's redemptions of them.
 */
final class DiscountsApi {
    private final Discounts discounts;
    private final Clock clock;
    private final ObjectMapper mapper;

    DiscountsApi(Engine engine, ObjectMapper mapper) {
        this.discounts = engine.billing().discounts();
        this.clock = engine.clock();
        this.mapper = mapper;
    }

    private JsonNode body(Request r) throws IOException {
        return JsonBody.read(r, BillingApi.MAX_BODY);
    }

    private ObjectNode override(Request r, String id) {
        List<OverrideVersion> versions = discounts.versions(r.tenant(), r.path("id"), id);
        return DiscountJson.override(versions, discounts.inForce(versions, clock.instant()), clock.instant());
    }

    void createOverride(Request r) throws IOException {
        OverrideVersion v = discounts.createOverride(r.tenant(), r.path("id"), body(r));
        Responses.json(r.exchange, 201, override(r, v.overrideId()), mapper);
    }

    void listOverrides(Request r) throws IOException {
        Instant now = clock.instant();
        ObjectNode out = mapper.createObjectNode();
        out.put("subscription", r.path("id"));
        ArrayNode list = out.putArray("overrides");
        for (List<OverrideVersion> versions : discounts.overrides(r.tenant(), r.path("id"))) {
            list.add(DiscountJson.override(versions, discounts.inForce(versions, now), now));
        }
        Responses.json(r.exchange, 200, out, mapper);
    }

    void versions(Request r) throws IOException {
        Responses.json(r.exchange, 200, override(r, r.path("override_id")), mapper);
    }

    void addVersion(Request r) throws IOException {
        OverrideVersion v = discounts.addVersion(r.tenant(), r.path("id"), r.path("override_id"), body(r));
        Responses.json(r.exchange, 201, DiscountJson.version(v, clock.instant()), mapper);
    }

    void endOverride(Request r) throws IOException {
        OverrideVersion v = discounts.endOverride(r.tenant(), r.path("id"), r.path("override_id"), body(r));
        Responses.json(r.exchange, 201, DiscountJson.version(v, clock.instant()), mapper);
    }

    void createCoupon(Request r) throws IOException {
        Responses.json(r.exchange, 201, DiscountJson.coupon(discounts.createCoupon(r.tenant(), body(r))), mapper);
    }

    void listCoupons(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode list = out.putArray("coupons");
        discounts.coupons(r.tenant()).forEach(k -> list.add(DiscountJson.coupon(k)));
        Responses.json(r.exchange, 200, out, mapper);
    }

    void getCoupon(Request r) throws IOException {
        Responses.json(r.exchange, 200, DiscountJson.coupon(discounts.coupon(r.tenant(), r.path("key"))), mapper);
    }

    void archiveCoupon(Request r) throws IOException {
        Responses.json(r.exchange, 200, DiscountJson.coupon(discounts.archiveCoupon(r.tenant(), r.path("key"))), mapper);
    }

    void redeem(Request r) throws IOException {
        Redemption red = discounts.redeem(r.tenant(), r.path("id"), body(r));
        Coupon k = discounts.coupon(r.tenant(), red.couponKey());
        Responses.json(r.exchange, 201, DiscountJson.redemption(red, k), mapper);
    }

    void endDiscount(Request r) throws IOException {
        Redemption red = discounts.endRedemption(r.tenant(), r.path("id"), r.path("redemption_id"), body(r));
        Responses.json(r.exchange, 200, DiscountJson.redemption(red, discounts.coupon(r.tenant(), red.couponKey())), mapper);
    }

    void listDiscounts(Request r) throws IOException {
        ObjectNode out = mapper.createObjectNode();
        out.put("subscription", r.path("id"));
        ArrayNode list = out.putArray("discounts");
        for (Redemption red : discounts.redemptions(r.tenant(), r.path("id"))) {
            list.add(DiscountJson.redemption(red, discounts.coupon(r.tenant(), red.couponKey())));
        }
        Responses.json(r.exchange, 200, out, mapper);
    }
}
