package io.insighthub.e2e.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 behaviour the product relies on, checked against the test bed's server: listing by prefix
 * with pagination and ETags, multipart upload, conditional put, ranged reads, and credentials.
 */
@ExtendWith(S3ServerExtension.class)
class S3ServerIT {
  @Test
  void listsByPrefixAcrossPagesWithSizesAndEtags(S3Server server) throws Exception {
    String bucket = server.createBucket();
    try (S3Client s3 = server.client()) {
      for (int i = 0; i < 25; i++) {
        String key = "exports/accounts/accounts_2026-11-%02d.csv".formatted(i + 1);
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString("id,name\n" + i));
      }
      s3.putObject(b -> b.bucket(bucket).key("exports/other/x.csv"), RequestBody.fromString("x"));

      List<S3Object> listed = new ArrayList<>();
      String token = null;
      int pages = 0;
      do {
        String continuation = token;
        ListObjectsV2Response page =
            s3.listObjectsV2(
                b ->
                    b.bucket(bucket)
                        .prefix("exports/accounts/")
                        .maxKeys(10)
                        .continuationToken(continuation));
        listed.addAll(page.contents());
        token = page.nextContinuationToken();
        pages++;
      } while (token != null);

      assertThat(pages).isEqualTo(3);
      assertThat(listed).hasSize(25).allMatch(o -> o.key().startsWith("exports/accounts/"));
      S3Object first = listed.getFirst();
      assertThat(first.key()).isEqualTo("exports/accounts/accounts_2026-11-01.csv");
      assertThat(first.size()).isEqualTo("id,name\n0".length());
      assertThat(first.eTag()).isEqualTo("\"" + md5("id,name\n0") + "\"");
    }
  }

  @Test
  void multipartUploadAssemblesThePartsInOrder(S3Server server) {
    String bucket = server.createBucket();
    byte[] part1 = filled(5 * 1024 * 1024, 'a');
    byte[] part2 = filled(1024, 'b');
    try (S3Client s3 = server.client()) {
      String upload =
          s3.createMultipartUpload(b -> b.bucket(bucket).key("archive/big.bin")).uploadId();
      String etag1 =
          s3.uploadPart(
                  b -> b.bucket(bucket).key("archive/big.bin").uploadId(upload).partNumber(1),
                  RequestBody.fromBytes(part1))
              .eTag();
      String etag2 =
          s3.uploadPart(
                  b -> b.bucket(bucket).key("archive/big.bin").uploadId(upload).partNumber(2),
                  RequestBody.fromBytes(part2))
              .eTag();
      s3.completeMultipartUpload(
          b ->
              b.bucket(bucket)
                  .key("archive/big.bin")
                  .uploadId(upload)
                  .multipartUpload(
                      m ->
                          m.parts(
                              CompletedPart.builder().partNumber(1).eTag(etag1).build(),
                              CompletedPart.builder().partNumber(2).eTag(etag2).build())));

      var head = s3.headObject(b -> b.bucket(bucket).key("archive/big.bin"));
      assertThat(head.contentLength()).isEqualTo(part1.length + part2.length);
      assertThat(head.eTag()).endsWith("-2\"");
      byte[] tail =
          s3.getObjectAsBytes(
                  b -> b.bucket(bucket).key("archive/big.bin").range("bytes=5242878-5242881"))
              .asByteArray();
      assertThat(new String(tail, StandardCharsets.US_ASCII)).isEqualTo("aabb");
    }
  }

  @Test
  void conditionalPutRefusesToOverwriteAnExistingObject(S3Server server) {
    String bucket = server.createBucket();
    try (S3Client s3 = server.client()) {
      s3.putObject(
          b -> b.bucket(bucket).key("manifest/lock").ifNoneMatch("*"),
          RequestBody.fromString("first"));
      assertThatThrownBy(
              () ->
                  s3.putObject(
                      b -> b.bucket(bucket).key("manifest/lock").ifNoneMatch("*"),
                      RequestBody.fromString("second")))
          .isInstanceOfSatisfying(
              S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
      assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("manifest/lock")).asUtf8String())
          .isEqualTo("first");
    }
  }

  @Test
  void rangedGetReturnsOnlyTheRange(S3Server server) {
    String bucket = server.createBucket();
    String body = String.join("", IntStream.range(0, 100).mapToObj("%03d"::formatted).toList());
    try (S3Client s3 = server.client()) {
      s3.putObject(b -> b.bucket(bucket).key("data.txt"), RequestBody.fromString(body));
      var range = s3.getObjectAsBytes(b -> b.bucket(bucket).key("data.txt").range("bytes=30-38"));
      assertThat(range.asUtf8String()).isEqualTo("010011012");
      assertThat(range.response().contentRange()).isEqualTo("bytes 30-38/300");
    }
  }

  @Test
  void refusesAWrongSecret(S3Server server) {
    try (S3Client wrong =
        S3Client.builder()
            .endpointOverride(server.endpoint())
            .region(software.amazon.awssdk.regions.Region.of(S3Server.REGION))
            .forcePathStyle(true)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                        server.accessKeyId(), "not-the-secret")))
            .build()) {
      assertThatThrownBy(wrong::listBuckets)
          .isInstanceOfSatisfying(
              S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    }
  }

  private static byte[] filled(int size, char c) {
    byte[] bytes = new byte[size];
    java.util.Arrays.fill(bytes, (byte) c);
    return bytes;
  }

  private static String md5(String text) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
