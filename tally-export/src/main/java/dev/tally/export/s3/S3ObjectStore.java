package dev.tally.export.s3;

import dev.tally.engine.objectstore.ChecksumMismatchException;
import dev.tally.engine.objectstore.ObjectInfo;
import dev.tally.engine.objectstore.ObjectStore;
import dev.tally.engine.objectstore.ObjectStoreException;
import dev.tally.engine.objectstore.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in one S3 bucket under a key prefix. A put is a single PutObject of the complete local file carrying its
 * SHA-256 ({@code x-amz-checksum-sha256}, verified by the service, so a corrupted upload is refused and never
 * visible) and the hex digest as user metadata {@code tally-sha256}; S3 makes a PutObject visible atomically, so no
 * reader sees a partial object. A get recomputes the digest of what it downloaded and compares.
 */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {
    static final String SHA_META = "tally-sha256";
    private final S3Client s3;
    private final S3Settings settings;

    public S3ObjectStore(S3Settings settings) {
        this.settings = settings;
        AwsCredentialsProvider creds = settings.accessKeyId().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId().get(),
                        settings.secretAccessKey().orElseThrow()))
                : DefaultCredentialsProvider.builder().build();
        var b = S3Client.builder().region(Region.of(settings.region())).credentialsProvider(creds)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
        settings.endpoint().ifPresent(b::endpointOverride);
        this.s3 = b.build();
    }

    private String full(String key) {
        ObjectStore.checkKey(key);
        return settings.prefix().isEmpty() ? key : settings.prefix() + "/" + key;
    }

    private String relative(String fullKey) {
        return settings.prefix().isEmpty() ? fullKey : fullKey.substring(settings.prefix().length() + 1);
    }

    @Override
    public ObjectInfo put(String key, Path source) {
        byte[] sha = Sha256.bytesOf(source);
        String hex = HexFormat.of().formatHex(sha);
        try {
            long size = Files.size(source);
            s3.putObject(p -> p.bucket(settings.bucket()).key(full(key)).contentLength(size)
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256)
                    .checksumSHA256(Base64.getEncoder().encodeToString(sha))
                    .metadata(Map.of(SHA_META, hex)), RequestBody.fromFile(source));
            return new ObjectInfo(key, size, hex);
        } catch (IOException | SdkException e) {
            throw new ObjectStoreException("cannot put object '" + key + "' to " + describe(), e);
        }
    }

    @Override
    public Optional<ObjectInfo> get(String key, Path target) {
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(g -> g.bucket(settings.bucket())
                .key(full(key)).checksumMode(ChecksumMode.ENABLED))) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            String expected = in.response().metadata().get(SHA_META);
            String actual = Sha256.of(target);
            if (expected != null && !expected.equals(actual)) {
                throw new ChecksumMismatchException(key);
            }
            return Optional.of(new ObjectInfo(key, Files.size(target), actual));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IOException | SdkException e) {
            throw new ObjectStoreException("cannot get object '" + key + "' from " + describe(), e);
        }
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        try {
            HeadObjectResponse h = s3.headObject(r -> r.bucket(settings.bucket()).key(full(key)));
            String sha = h.metadata().get(SHA_META);
            if (sha == null) {
                sha = digestOf(key);
            }
            return Optional.of(new ObjectInfo(key, h.contentLength(), sha));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new ObjectStoreException("cannot read object '" + key + "' from " + describe(), e);
        } catch (SdkException e) {
            throw new ObjectStoreException("cannot read object '" + key + "' from " + describe(), e);
        }
    }

    private String digestOf(String key) {
        var md = Sha256.digest();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = s3.getObject(g -> g.bucket(settings.bucket()).key(full(key)))) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new ObjectStoreException("cannot read object '" + key + "'", e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        List<ObjectInfo> out = new ArrayList<>();
        String full = settings.prefix().isEmpty() ? prefix : settings.prefix() + "/" + prefix;
        try {
            String token = null;
            do {
                var req = ListObjectsV2Request.builder().bucket(settings.bucket()).prefix(full);
                if (token != null) {
                    req.continuationToken(token);
                }
                ListObjectsV2Response page = s3.listObjectsV2(req.build());
                for (S3Object o : page.contents()) {
                    head(relative(o.key())).ifPresent(out::add);
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw new ObjectStoreException("cannot list " + describe(), e);
        }
        return out;
    }

    @Override
    public void delete(String key) {
        try {
            s3.deleteObject(d -> d.bucket(settings.bucket()).key(full(key)));
        } catch (SdkException e) {
            throw new ObjectStoreException("cannot delete object '" + key + "' from " + describe(), e);
        }
    }

    @Override
    public String describe() {
        return "s3://" + settings.bucket() + (settings.prefix().isEmpty() ? "" : "/" + settings.prefix());
    }

    @Override
    public void close() {
        s3.close();
    }
}
