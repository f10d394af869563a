package io.insighthub.workers.files.archive;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archive's bucket through the AWS SDK v2: conditional writes, metadata, listings by prefix.
 * Credentials and region come from the SDK's default chain (the environment a credentials Secret
 * sets, or the pod's workload identity); {@code AWS_ENDPOINT_URL_S3} (or {@code AWS_ENDPOINT_URL})
 * points it at an S3-compatible server, addressed path-style.
 */
public final class S3Store implements AutoCloseable {
  /** Environment naming an S3-compatible endpoint instead of AWS's. */
  public static final List<String> ENDPOINT_ENV =
      List.of("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");

  public static final String REGION_ENV = "AWS_REGION";

  /** Whether a conditional put wrote the object or found one there. */
  public enum Put {
    CREATED,
    EXISTS
  }

  private final S3Client s3;
  private final String bucket;

  public S3Store(S3Client s3, String bucket) {
    this.s3 = s3;
    this.bucket = bucket;
  }

  /** A client for {@code bucket} configured from {@code env} (the process environment). */
  public static S3Store open(String bucket, Map<String, String> env) {
    var builder =
        S3Client.builder()
            .credentialsProvider(credentials(env))
            .region(Region.of(env.getOrDefault(REGION_ENV, "us-east-1")));
    for (String name : ENDPOINT_ENV) {
      String endpoint = env.get(name);
      if (endpoint != null && !endpoint.isBlank()) {
        builder.endpointOverride(URI.create(endpoint.strip())).forcePathStyle(true);
        break;
      }
    }
    return new S3Store(builder.build(), bucket);
  }

  /**
   * The access key of {@code env} (as a credentials Secret sets it), else the SDK's default chain
   * (system properties, web identity on EKS, the instance profile).
   */
  static AwsCredentialsProvider credentials(Map<String, String> env) {
    String id = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (id == null || id.isBlank() || secret == null || secret.isBlank()) {
      return DefaultCredentialsProvider.builder().build();
    }
    String token = env.get("AWS_SESSION_TOKEN");
    return StaticCredentialsProvider.create(
        token == null || token.isBlank()
            ? AwsBasicCredentials.create(id.strip(), secret.strip())
            : AwsSessionCredentials.create(id.strip(), secret.strip(), token.strip()));
  }

  public String bucket() {
    return bucket;
  }

  /** Writes the object unless one exists under the key (If-None-Match: *). */
  public Put putIfAbsent(String key, byte[] bytes, Map<String, String> metadata) {
    try {
      s3.putObject(
          b -> b.bucket(bucket).key(key).ifNoneMatch("*").metadata(metadata),
          RequestBody.fromBytes(bytes));
      return Put.CREATED;
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        return Put.EXISTS;
      }
      throw e;
    }
  }

  /** Writes (or overwrites) the object. */
  public void put(String key, byte[] bytes, Map<String, String> metadata) {
    s3.putObject(b -> b.bucket(bucket).key(key).metadata(metadata), RequestBody.fromBytes(bytes));
  }

  /** The object's user metadata, or empty when it does not exist. */
  public Optional<Map<String, String>> metadata(String key) {
    return unlessMissing(() -> s3.headObject(b -> b.bucket(bucket).key(key)).metadata());
  }

  /** The object's bytes and metadata, or empty when it does not exist. */
  public Optional<Stored> get(String key) {
    return unlessMissing(
        () -> {
          ResponseBytes<GetObjectResponse> got =
              s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
          return new Stored(got.asByteArray(), got.response().metadata());
        });
  }

  /**
   * The request's result, or empty when the object does not exist (a HEAD's 404 carries no error
   * code, so the SDK raises a plain S3Exception rather than NoSuchKeyException).
   */
  private static <T> Optional<T> unlessMissing(Supplier<T> request) {
    try {
      return Optional.of(request.get());
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** An object's content and user metadata. */
  public record Stored(byte[] bytes, Map<String, String> metadata) {}

  /** Deletes the object; a missing one is no error. */
  public void delete(String key) {
    s3.deleteObject(b -> b.bucket(bucket).key(key));
  }

  /** Every object under {@code prefix}, across pages. */
  public List<S3Object> list(String prefix) {
    List<S3Object> objects = new ArrayList<>();
    s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))
        .forEach(page -> objects.addAll(page.contents()));
    return objects;
  }

  /** The "directories" right below {@code prefix} (common prefixes at the next {@code /}). */
  public List<String> prefixes(String prefix) {
    List<String> prefixes = new ArrayList<>();
    s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix).delimiter("/"))
        .forEach(
            page ->
                page.commonPrefixes().stream().map(CommonPrefix::prefix).forEach(prefixes::add));
    return prefixes;
  }

  @Override
  public void close() {
    s3.close();
  }
}
