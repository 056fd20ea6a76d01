package dev.tally.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exporting grows no heap with the row count: the live heap (after a full GC) is sampled as the export's output
 * passes 10% and then every further 20% of 1,000,000 events, and stays within a few MB of the first sample, while the
 * output is ~200 MB (it would be retained many times over if rows were collected).
 */
class ConstantMemoryExportTest {
    static final int EVENTS = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void exportingAMillionEventsKeepsTheLiveHeapFlat() throws Exception {
        try (ExportFixture f = new ExportFixture(dir)) {
            f.send(0, EVENTS);
            MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
            long[] samples = new long[6];
            int[] taken = {0};
            long[] bytes = {0};
            long expectedBytes = 180L * EVENTS;
            OutputStream sink = new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    bytes[0] += len;
                    long next = expectedBytes / 10 + (long) taken[0] * expectedBytes / 5;
                    if (taken[0] < samples.length && bytes[0] >= next) {
                        System.gc();
                        samples[taken[0]++] = mem.getHeapMemoryUsage().getUsed();
                    }
                }
            };
            ExportPage page = f.exports().write(ExportFixture.T, ExportRequest.events(ExportFormat.JSONL,
                    ExportFixture.DAY1, ExportFixture.NOW, Optional.empty(), ExportRequest.MAX_LIMIT), sink);
            assertThat(page.rows()).isEqualTo(EVENTS);
            assertThat(bytes[0]).isGreaterThan(expectedBytes);
            assertThat(taken[0]).isGreaterThanOrEqualTo(5);
            long first = samples[0];
            for (int i = 1; i < taken[0]; i++) {
                assertThat(samples[i] - first).as("live heap growth at sample %d (bytes out %d)", i, bytes[0])
                        .isLessThan(16L * 1024 * 1024);
            }
            System.out.printf("exported %d events, %d MB of JSON Lines; live heap samples (MB): %s%n", page.rows(),
                    bytes[0] >> 20, java.util.Arrays.toString(java.util.Arrays.stream(samples).map(s -> s >> 20)
                            .toArray()));
        }
    }
}
