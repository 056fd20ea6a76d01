package dev.tally.kafka;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the shared test broker when the test run ends, before the JVM exits. */
public final class KafkaTestSession implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        EmbeddedKafka.closeShared();
    }
}
