package dev.tally.core.meter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.RejectionReason;
import java.math.BigDecimal;

/** Reads a persistent count's operation from an event: +1 adds the unit, -1 removes it. */
final class PersistentOperations {
    private PersistentOperations() {
    }

    /**
     * {@code BigDecimal.ONE} for {@code add} (also when the operation property is absent or null, as in Lago),
     * {@code -1} for {@code remove}, or an {@link Evaluation.Rejected} for anything else.
     */
    static Object sign(Meter m, ObjectNode data) {
        PersistentCount p = m.persistent().orElse(PersistentCount.DEFAULT);
        JsonNode op = p.operationPath().lookup(data);
        if (op == null) {
            return BigDecimal.ONE;
        }
        if (op.isTextual() && op.textValue().equals(PersistentCount.ADD)) {
            return BigDecimal.ONE;
        }
        if (op.isTextual() && op.textValue().equals(PersistentCount.REMOVE)) {
            return BigDecimal.ONE.negate();
        }
        return new Evaluation.Rejected(RejectionReason.OPERATION_INVALID, "meter '" + m.key() + "' needs data."
                + p.operationPath().text() + " to be \"add\" or \"remove\"");
    }
}
