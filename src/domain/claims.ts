/**
 * How long a claim on scheduled work (a digest week, a review reminder, a link confirmation or its
 * reminder, an alert transition) may stay unposted before the leader treats its claimer as dead and
 * gives it back (issue 19).
 *
 * Why this is safe, i.e. why a claimer still alive is never robbed: a claim is finished (posted and
 * recorded, or released on failure) by the same run that took it, within one build of the message
 * and one Slack call. The Bolt client the jobs post with retries a failing call for about half an
 * hour (the Web API client's default policy), building a digest takes seconds, and a replica that
 * lost the leadership stops starting runs within the takeover bound (16 s with the default timings,
 * src/store/postgres/leader.ts) while its run in progress still finishes what it claimed. So a claim
 * older than an hour is not being posted by anyone: its claimer was killed (SIGKILL, host lost,
 * a crash between claim and post). The hour also absorbs clock skew between replicas, whose clocks
 * stamp the claims. Only the leader gives claims back, and never its own: its own runs finish theirs.
 */
export const ABANDONED_CLAIM_MS = 60 * 60_000;
