package io.insighthub.workers.purge;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.time.LocalDate;

/**
 * How far pii-purge got in an archive, kept in the archive itself ({@code
 * _lifecycle/purge-state.json}) and written only at the end of a run that succeeded, so a run
 * killed midway is redone from the same point.
 *
 * @param piiPurgedBefore every object of an hour before this was minimized (late ones aside, which
 *     their markers name)
 * @param markersThrough late markers of days up to this one were handled
 * @param runId the run that wrote it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
record PurgeState(Instant piiPurgedBefore, LocalDate markersThrough, String runId) {}
