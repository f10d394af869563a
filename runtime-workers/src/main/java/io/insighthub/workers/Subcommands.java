package io.insighthub.workers;

import io.insighthub.workers.aggregate.AggregateStage;
import io.insighthub.workers.archive.ArchiveStage;
import io.insighthub.workers.audit.AuditReportStage;
import io.insighthub.workers.cdc.CdcLoadStage;
import io.insighthub.workers.load.LoadStage;
import io.insighthub.workers.purge.PiiPurgeStage;
import io.insighthub.workers.validate.ValidateStage;
import java.util.List;

/** The stages this executable offers; each stage package contributes its subcommand here. */
final class Subcommands {
  private Subcommands() {}

  static List<Subcommand> all() {
    return List.of(
        new ValidateStage(),
        new AggregateStage(),
        new CdcLoadStage(),
        new LoadStage(),
        new ArchiveStage(),
        new PiiPurgeStage(),
        new AuditReportStage());
  }
}
