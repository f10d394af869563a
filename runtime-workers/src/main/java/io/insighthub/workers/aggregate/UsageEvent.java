package io.insighthub.workers.aggregate;

/**
 * The parts of a validated event the aggregates use. {@code userKey} is the user id, else {@code
 * device:<device id>}, else null (the event counts for its account but belongs to no session).
 */
record UsageEvent(
    long time, String account, String user, String userKey, String type, String platform) {}
