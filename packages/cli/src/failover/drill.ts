import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { readStandbyState, type StandbyState } from '../launcher/db-standby.js';
import { DrillShopper, stockedVariants, type RequestRecord } from './drill-load.js';

export const DRILL_TARGETS = ['api', 'primary'] as const;
export type DrillTarget = (typeof DRILL_TARGETS)[number];

export interface DrillOptions {
  /** Data directory of the running shop (its launcher registry and database live there). */
  dataDir: string;
  /** The shop's URL (web tier). */
  baseUrl: string;
  target: DrillTarget;
  /** Load before the kill, and at least this long after recovery. */
  settleMs?: number;
  /** Give up waiting for recovery after this long. */
  recoveryTimeoutMs?: number;
  shoppers?: number;
  email: string;
  password: string;
  log?: (line: string) => void;
}

export interface FailedRequests {
  total: number;
  idempotent: number;
  other: number;
  byRoute: Array<{ method: string; route: string; status: number; count: number }>;
}

export interface DrillReport {
  target: DrillTarget;
  killed: string;
  requests: number;
  failed: FailedRequests;
  paidOrders: number;
  lostPaidOrders: number;
  /** Each paid order the shop no longer confirms as paid: what it answered (HTTP status, order status). */
  lost: Array<{ id: number; httpStatus: number; status?: string }>;
  /** From the kill until the shop served every request again (null: not within the timeout). */
  recoverySeconds: number | null;
  /**
   * The embedded pair before the kill and after recovery (THREADLINE_DB_STANDBY=on): after a
   * failover the timeline grew and `failovers` counts it. Undefined without a standby.
   */
  database?: { before: StandbyState; after: StandbyState | undefined };
  ok: boolean;
}

/** Statuses of an order that was paid (it may have moved on since). */
const PAID_OR_LATER = new Set(['paid', 'shipped', 'delivered', 'completed', 'refunded', 'cancelled']);

function launcherGroup(dataDir: string, name: string): number {
  const file = path.join(dataDir, 'run', 'launcher.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`no running launcher on ${dataDir} (start the shop with npm start first)`, { cause: error });
  }
  const children: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'children') : undefined;
  for (const child of Array.isArray(children) ? children : []) {
    const childName: unknown = typeof child === 'object' && child !== null ? Reflect.get(child, 'name') : undefined;
    const pgid: unknown = typeof child === 'object' && child !== null ? Reflect.get(child, 'pgid') : undefined;
    if (childName === name && typeof pgid === 'number') return pgid;
  }
  throw new Error(`the launcher on ${dataDir} runs no ${name}`);
}

/** Kills the target the hard way (SIGKILL, no shutdown): one API replica, or the PostgreSQL primary. */
function kill(options: Pick<DrillOptions, 'dataDir' | 'target'>): string {
  if (options.target === 'api') {
    const pgid = launcherGroup(options.dataDir, 'api-1');
    process.kill(-pgid, 'SIGKILL');
    return `API replica api-1 (process group ${pgid})`;
  }
  const pidFile = path.join(options.dataDir, 'pg', 'postmaster.pid');
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no PostgreSQL pid in ${pidFile}`);
  process.kill(pid, 'SIGKILL');
  return `PostgreSQL primary (postmaster pid ${pid})`;
}

async function apiReplicasAvailable(baseUrl: string): Promise<{ available: number; total: number } | undefined> {
  try {
    const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
    const body: unknown = await response.json();
    const replicas: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'apiReplicas') : undefined;
    const available: unknown = typeof replicas === 'object' && replicas !== null ? Reflect.get(replicas, 'available') : undefined;
    const total: unknown = typeof replicas === 'object' && replicas !== null ? Reflect.get(replicas, 'total') : undefined;
    return typeof available === 'number' && typeof total === 'number' ? { available, total } : undefined;
  } catch {
    return undefined;
  }
}

function summariseFailures(records: RequestRecord[]): FailedRequests {
  const failed = records.filter((record) => record.status === 0 || record.status >= 500);
  const groups = new Map<string, { method: string; route: string; status: number; count: number }>();
  for (const record of failed) {
    const key = `${record.method} ${record.route} ${record.status}`;
    const group = groups.get(key) ?? { method: record.method, route: record.route, status: record.status, count: 0 };
    group.count += 1;
    groups.set(key, group);
  }
  return {
    total: failed.length,
    idempotent: failed.filter((record) => record.isIdempotent).length,
    other: failed.filter((record) => !record.isIdempotent).length,
    byRoute: [...groups.values()].sort((a, b) => b.count - a.count),
  };
}

/**
 * The failover drill: shoppers buy through the web tier while the target is killed with SIGKILL;
 * then every order the shop confirmed as paid is looked up again. Reports failed requests (5xx or
 * no answer; idempotent ones apart), paid orders lost (must be 0), and the time until the shop
 * served every request again — for an API replica, until it is back in rotation.
 */
export async function runFailoverDrill(options: DrillOptions): Promise<DrillReport> {
  const log = options.log ?? (() => undefined);
  const settleMs = options.settleMs ?? 5_000;
  const recoveryTimeoutMs = options.recoveryTimeoutMs ?? 120_000;
  const variants = await stockedVariants(options.baseUrl);
  const shoppers = Array.from({ length: options.shoppers ?? 3 }, (_, index) => new DrillShopper(options.baseUrl, index));
  for (const shopper of shoppers) await shopper.signIn(options.email, options.password);
  let isRunning = true;
  const hardDeadline = Date.now() + settleMs + recoveryTimeoutMs + settleMs;
  const loops = shoppers.map(async (shopper, index) => {
    for (let round = 0; isRunning; round += 1) {
      await shopper.buy(variants[(index * 7 + round) % variants.length] ?? 0, hardDeadline);
      await sleep(100);
    }
  });
  log(`load: ${shoppers.length} shoppers buying through ${options.baseUrl}`);
  await sleep(settleMs);
  const databaseBefore = options.target === 'primary' ? readStandbyState(options.dataDir) : undefined;
  if (databaseBefore) log(`database: timeline ${databaseBefore.timeline}, standby ${databaseBefore.standby}`);
  const killedAt = Date.now();
  const killed = kill(options);
  log(`killed ${killed}`);

  // recovered: the requests made after the last failure all succeed for a while, a payment among
  // them (and for an API replica: it is back in rotation)
  let recoveredAt: number | undefined;
  const all = (): RequestRecord[] => shoppers.flatMap((shopper) => shopper.records);
  while (Date.now() - killedAt < recoveryTimeoutMs) {
    await sleep(250);
    const records = all().filter((record) => record.at >= killedAt);
    const failures = records.filter((record) => record.status === 0 || record.status >= 500);
    const lastFailure = failures.length > 0 ? Math.max(...failures.map((record) => record.at)) : killedAt;
    const since = records.filter((record) => record.at > lastFailure && record.status > 0 && record.status < 500);
    // cached pages (and 4xx answers) come back before the database does: a payment must go through too
    let isBack = since.length >= 10 && since.some((record) => record.route === '/api/orders/:id/pay' && record.status === 200);
    if (options.target === 'api') {
      const replicas = await apiReplicasAvailable(options.baseUrl);
      isBack = isBack && replicas !== undefined && replicas.available === replicas.total;
    }
    if (isBack) {
      const firstSuccess = records.find((record) => record.at > lastFailure && record.status > 0 && record.status < 500)?.at ?? Date.now();
      recoveredAt = options.target === 'api' ? Date.now() : firstSuccess;
      break;
    }
  }
  const databaseAfter = databaseBefore ? readStandbyState(options.dataDir) : undefined;
  if (databaseAfter) log(`database: timeline ${databaseAfter.timeline} after ${databaseAfter.failovers} failover(s)`);
  log(recoveredAt ? `recovered after ${((recoveredAt - killedAt) / 1000).toFixed(1)} s` : 'did not recover in time');
  await sleep(settleMs);
  isRunning = false;
  await Promise.all(loops);

  const paid = shoppers.flatMap((shopper) => shopper.paid.map((order) => ({ ...order, shopper })));
  const lost: DrillReport['lost'] = [];
  const lookupDeadline = Date.now() + 60_000;
  for (const order of paid) {
    const found = await order.shopper.orderStatus(order.id, lookupDeadline);
    if (!found.status || !PAID_OR_LATER.has(found.status)) {
      lost.push({ id: order.id, ...found });
      log(`paid order ${order.id} is ${found.status ?? `not found (HTTP ${found.httpStatus})`} now`);
    }
  }
  const records = all().filter((record) => record.route !== '/api/orders/:id');
  const failed = summariseFailures(records);
  const isApiOk = options.target !== 'api' || failed.idempotent === 0;
  return {
    target: options.target,
    killed,
    requests: records.length,
    failed,
    paidOrders: paid.length,
    lostPaidOrders: lost.length,
    lost,
    recoverySeconds: recoveredAt ? Math.round((recoveredAt - killedAt) / 100) / 10 : null,
    ...(databaseBefore ? { database: { before: databaseBefore, after: databaseAfter } } : {}),
    ok: lost.length === 0 && isApiOk && recoveredAt !== undefined,
  };
}
