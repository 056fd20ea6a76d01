package dev.tally.engine.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sealing of stored secrets: a value opens only with its key and on its own record, any change to the sealed
 * bytes is detected, the same value seals differently each time, and a generated key file is 0600 and written
 * only when asked.
 */
class SecretBoxTest {
    static final byte[] KEY = new byte[32];
    static final byte[] OTHER_KEY = "another key, exactly 32 bytes!!!".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void aSealedValueOpensWithItsKeyOnItsOwnRecordOnly() {
        SecretBox box = new SecretBox(KEY);
        String sealed = box.sealText("whsec_secret", "webhook_endpoints:we_1");

        assertThat(sealed).startsWith("tsb1:").doesNotContain("secret");
        assertThat(box.openText(sealed, "webhook_endpoints:we_1")).isEqualTo("whsec_secret");
        assertThat(box.sealText("whsec_secret", "webhook_endpoints:we_1")).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThatThrownBy(() -> box.openText(sealed, "webhook_endpoints:we_2"))
                .isInstanceOf(SecretDecryptionException.class);
        assertThatThrownBy(() -> new SecretBox(OTHER_KEY).openText(sealed, "webhook_endpoints:we_1"))
                .isInstanceOf(SecretDecryptionException.class);
        byte[] bytes = Base64.getDecoder().decode(sealed.substring(5));
        bytes[bytes.length - 1] ^= 1;
        String tampered = "tsb1:" + Base64.getEncoder().encodeToString(bytes);
        assertThatThrownBy(() -> box.openText(tampered, "webhook_endpoints:we_1"))
                .isInstanceOf(SecretDecryptionException.class);
        assertThatThrownBy(() -> box.openText("whsec_clear", "webhook_endpoints:we_1"))
                .isInstanceOf(SecretDecryptionException.class);
        assertThat(new SecretBox(KEY).checkValue()).isEqualTo(box.checkValue())
                .isNotEqualTo(new SecretBox(OTHER_KEY).checkValue());
    }

    @Test
    void binaryValuesAreRecognisedAsSealedOrClear() {
        SecretBox box = new SecretBox(KEY);
        byte[] clear = new byte[32];
        byte[] sealed = box.seal(clear, "secrets:portal");
        assertThat(SecretBox.isSealed(sealed)).isTrue();
        assertThat(SecretBox.isSealed(clear)).isFalse();
        assertThat(box.open(sealed, "secrets:portal")).isEqualTo(clear);
    }

    @Test
    void aGeneratedKeyFileIsWrittenPrivateOnlyWhenPersistedAndReadBackAfterwards() throws Exception {
        SecretsKey fresh = SecretsKey.resolve(SecretsConfig.DEFAULT, dir);
        assertThat(dir.resolve(SecretsKey.FILE)).doesNotExist();
        fresh.persist();
        Path file = dir.resolve(SecretsKey.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        SecretsKey again = SecretsKey.resolve(SecretsConfig.DEFAULT, dir);
        assertThat(again.box().checkValue()).isEqualTo(fresh.box().checkValue());
        assertThat(again.source()).isEqualTo(file.toString());

        assertThatThrownBy(() -> SecretsKey.resolve(SecretsConfig.ofFile(dir.resolve("missing")), dir))
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> SecretsKey.resolve(SecretsConfig.ofKey(Base64.getEncoder().encodeToString(new byte[16])), dir))
                .hasMessageContaining("32 random bytes");
        assertThat(SecretsConfig.ofKey("c2VjcmV0").toString()).doesNotContain("c2VjcmV0");
    }
}
