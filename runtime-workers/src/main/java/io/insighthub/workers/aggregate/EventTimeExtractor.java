package io.insighthub.workers.aggregate;

import io.insighthub.workers.validate.OutputHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.TimestampExtractor;

/** Event time from the header the validate stage writes; the record timestamp if absent. */
final class EventTimeExtractor implements TimestampExtractor {
  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    Header header = record.headers().lastHeader(OutputHeaders.EVENT_TIME);
    if (header != null) {
      try {
        return Long.parseLong(new String(header.value(), StandardCharsets.UTF_8));
      } catch (NumberFormatException e) {
        return record.timestamp();
      }
    }
    return record.timestamp();
  }
}
