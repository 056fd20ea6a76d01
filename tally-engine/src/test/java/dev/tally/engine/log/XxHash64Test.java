package dev.tally.engine.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XxHash64Test {

  @ParameterizedTest
  @CsvSource({
    "'', ef46db3751d8e999",
    "a, d24ec4f1a98c6e5b",
    "abc, 44bc2cf5ad770999",
    "hello, 26c7827d889f6da3",
    "message digest, 066ed728fceeb3be",
    "abcdefghijklmnopqrstuvwxyz, cfe1f278fa89835c",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789, aaa46907d3047814",
    "12345678901234567890123456789012345678901234567890123456789012345678901234567890,"
        + " e04a477f19ee145d"
  })
  void matchesThePublishedSeedZeroVectors(String input, String expectedHex) {
    long hash = XxHash64.hash(input.getBytes(StandardCharsets.US_ASCII), 0);

    assertThat(hash).isEqualTo(Long.parseUnsignedLong(expectedHex, 16));
  }

  @Test
  void hashesASliceLikeTheSameBytesAlone() {
    byte[] padded = "xxabcdefghijklmnopqrstuvwxyz0123456789yy".getBytes(StandardCharsets.US_ASCII);
    byte[] alone = "abcdefghijklmnopqrstuvwxyz0123456789".getBytes(StandardCharsets.US_ASCII);

    assertThat(XxHash64.hash(padded, 2, alone.length, 99)).isEqualTo(XxHash64.hash(alone, 99));
  }

  @Test
  void theSeedChangesTheHash() {
    byte[] data = "tenant".getBytes(StandardCharsets.US_ASCII);

    assertThat(XxHash64.hash(data, 1)).isNotEqualTo(XxHash64.hash(data, 2));
  }
}
