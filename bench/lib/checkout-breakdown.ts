/**
 * Where a checkout's time goes, for the shop benchmark: CPU seconds per process tree (API,
 * PostgreSQL, the load generator) from /proc, the statements PostgreSQL ran (pg_stat_statements)
 * and how many commits shared each WAL flush (pg_stat_wal, pg_stat_database). Figures are per
 * paid order, so a missed goal says which process or statement to look at next.
 */
import { readdirSync, readFileSync } from 'node:fs';

import type { Pool } from '@threadline/db';

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every mainstream kernel. */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime (+ cutime + cstime: reaped children), in ticks. */
  ticks: number;
}

/**
 * Parses one `/proc/<pid>/stat` line. The command name sits in parentheses and may itself hold
 * spaces or parentheses, so fields are counted from the last `)`.
 */
export function parseProcStat(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 1 || close < open) return null;
  const pid = Number(line.slice(0, open).trim());
  // after ")": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  const fields = line.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  const ticks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid) || !Number.isFinite(ticks)) return null;
  return { pid, ppid, ticks };
}

/** Every process's stat line; none without /proc (the figures then read zero rather than fail). */
function readAllStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return stats;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parsed = parseProcStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      if (parsed) stats.push(parsed);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return stats;
}

/** `root` and its descendants among `stats`; none when `root` is not among them. */
function treeOf(stats: readonly ProcStat[], root: number | undefined): ProcStat[] {
  const tree: ProcStat[] = [];
  const queue = stats.filter((stat) => stat.pid === root);
  for (let stat = queue.pop(); stat !== undefined; stat = queue.pop()) {
    tree.push(stat);
    for (const child of stats) if (child.ppid === stat.pid) queue.push(child);
  }
  return tree;
}

/** Process ids of `root` and its descendants (Linux only; none elsewhere). */
export function processTree(root: number): number[] {
  return treeOf(readAllStats(), root).map((stat) => stat.pid);
}

/** CPU milliseconds used so far by each root process and its descendants (Linux only; 0 elsewhere). */
export function treeCpuMs(roots: Record<string, number | undefined>): Record<string, number> {
  const stats = readAllStats();
  const result: Record<string, number> = {};
  for (const [name, root] of Object.entries(roots)) {
    const ticks = treeOf(stats, root).reduce((sum, stat) => sum + stat.ticks, 0);
    result[name] = (ticks * 1000) / TICKS_PER_SECOND;
  }
  return result;
}

/** Clears PostgreSQL's statement and WAL counters before the measured phase. */
export async function resetDatabaseCounters(pool: Pool): Promise<void> {
  await pool.query('SELECT pg_stat_statements_reset()');
  await pool.query("SELECT pg_stat_reset_shared('wal')");
}

export interface CommitCounters {
  commits: number;
  walSyncs: number;
  walSyncMs: number;
  walWrites: number;
  /** WAL records, bytes and full-page images written (what each statement's heap and index changes cost). */
  walRecords: number;
  walBytes: number;
  walFullPageImages: number;
}

/**
 * Commits of this database so far and WAL flushes and volume since the last reset. Backends
 * report their counters at most once a second (the last second of a busy backend up to 10 s
 * late): over a window of steady load the lag at its start and at its end about cancel.
 */
export async function readCommitCounters(pool: Pool): Promise<CommitCounters> {
  const { rows } = await pool.query<{ commits: number; wal_sync: number; wal_sync_time: number; wal_write: number; wal_records: number; wal_bytes: number; wal_fpi: number }>(
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::bigint AS commits,
            wal_sync::bigint, wal_sync_time::float8, wal_write::bigint, wal_records::bigint, wal_bytes::float8, wal_fpi::bigint
       FROM pg_stat_wal`,
  );
  const row = rows[0];
  return {
    commits: row?.commits ?? 0,
    walSyncs: row?.wal_sync ?? 0,
    walSyncMs: row?.wal_sync_time ?? 0,
    walWrites: row?.wal_write ?? 0,
    walRecords: row?.wal_records ?? 0,
    walBytes: row?.wal_bytes ?? 0,
    walFullPageImages: row?.wal_fpi ?? 0,
  };
}

export interface StatementFigure {
  statement: string;
  perPaidOrder: number;
  meanMs: number;
  /** Share of all statement execution time in the phase, in percent. */
  sharePct: number;
}

/** The statements of the API that took the most execution time since the reset, per paid order. */
export async function topStatements(pool: Pool, options: { paidOrders: number; limit: number }): Promise<StatementFigure[]> {
  const { rows } = await pool.query<{ query: string; calls: number; mean_ms: number; share: number }>(
    `SELECT regexp_replace(s.query, '\\s+', ' ', 'g') AS query, s.calls::bigint AS calls, s.mean_exec_time AS mean_ms,
            100 * s.total_exec_time / nullif(sum(s.total_exec_time) OVER (), 0) AS share
       FROM pg_stat_statements s
      WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND s.query NOT ILIKE '%pg_stat%'
      ORDER BY s.total_exec_time DESC
      LIMIT $1`,
    [options.limit],
  );
  const perOrder = (calls: number): number => (options.paidOrders > 0 ? Number((calls / options.paidOrders).toFixed(2)) : 0);
  return rows.map((row) => ({
    statement: row.query.length > 120 ? `${row.query.slice(0, 117)}...` : row.query,
    perPaidOrder: perOrder(row.calls),
    meanMs: Number(row.mean_ms.toFixed(3)),
    sharePct: Number((row.share ?? 0).toFixed(1)),
  }));
}

/** Statements of every kind per paid order (BEGIN/COMMIT included: pg_stat_statements counts utility statements). */
export async function statementsPerPaidOrder(pool: Pool, paidOrders: number): Promise<number> {
  const { rows } = await pool.query<{ calls: number }>(
    `SELECT coalesce(sum(calls), 0)::bigint AS calls FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT ILIKE '%pg_stat%'`,
  );
  return paidOrders > 0 ? Number(((rows[0]?.calls ?? 0) / paidOrders).toFixed(2)) : 0;
}
