/**
 * Group commit for the embedded cluster. With `fsync` and `synchronous_commit` on (production),
 * every committing transaction waits for its WAL to reach the disk; a checkout commits three
 * times (cart line, order, payment), so at a few hundred orders per second the WAL flush rate,
 * not the CPU, would cap throughput. `commit_delay` makes the backend that is about to flush wait
 * this many microseconds first, so that commits arriving meanwhile ride on the same flush — but
 * only when at least `commit_siblings` other transactions are open, so a quiet shop pays nothing.
 *
 * The PostgreSQL manual suggests half the time one 8 kB WAL write takes to flush as a starting
 * point (`pg_test_fsync`, "one 8kB write", fdatasync): about 1.1 ms on the 2-core development VM,
 * hence 500 µs. PostgreSQL ignores the delay when `fsync` is off (tests, the fast bench cluster).
 */
export const GROUP_COMMIT_SETTINGS = {
  commit_delay: '500',
  commit_siblings: '5',
} as const satisfies Record<string, string>;
