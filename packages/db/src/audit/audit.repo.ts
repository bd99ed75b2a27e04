import { isIP } from 'node:net';

import type { Queryable } from '../pool.js';

/**
 * The actions the shop records. Dotted `area.verb`; add new ones here so the admin page and CLI
 * can offer them as filters.
 */
export const AUDIT_ACTIONS = {
  LOGIN: 'auth.login',
  LOGIN_FAILED: 'auth.login_failed',
  LOGOUT: 'auth.logout',
  SIGNUP: 'auth.signup',
  ROLE_CHANGED: 'user.role_changed',
  PRODUCT_PUBLISHED: 'product.published',
  PRODUCT_UNPUBLISHED: 'product.unpublished',
  ORDER_STATUS_CHANGED: 'order.status_changed',
  ORDER_REFUNDED: 'order.refunded',
  DATA_EXPORTED: 'data.exported',
  ACCOUNT_EXPORTED: 'account.exported',
  ACCOUNT_DELETED: 'account.deleted',
  BACKUP_CREATED: 'backup.created',
  BACKUP_FAILED: 'backup.failed',
  BACKUP_RESTORED: 'backup.restored',
  BACKUP_REQUESTED: 'backup.requested',
  PRODUCT_CREATED: 'product.created',
  PRODUCT_UPDATED: 'product.updated',
  PRODUCT_IMAGE_ADDED: 'product.image_added',
  PRODUCT_IMAGE_REMOVED: 'product.image_removed',
  CATEGORY_CREATED: 'category.created',
  COLOUR_MAPPED: 'colour.mapped',
  SURVEY_UPLOADED: 'survey.uploaded',
  PIPELINE_RUN_STARTED: 'pipeline.run_started',
  IMPORT_COMPLETED: 'import.completed',
} as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[keyof typeof AUDIT_ACTIONS];

export interface AuditInput {
  /** One of AUDIT_ACTIONS (or another dotted `area.verb`). */
  action: AuditAction | (string & {});
  /** Signed-in user who acted; null for anonymous actions and system jobs. */
  actorId?: number | null;
  /** 'system' for jobs (backups, the scheduler); defaults to 'user'. */
  actorType?: 'user' | 'system';
  /** Client address (request.ip); invalid values are stored as null rather than failing the action. */
  ip?: string | null;
  /** What was acted on, `kind:id`, e.g. `order:123`. */
  target?: string | null;
  /** Ids and values that explain the action; never personal data (no e-mails or names). */
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  at: Date;
  action: string;
  actorId: number | null;
  /** The actor's name as it is now (read from users, never stored in the log); null for none. */
  actorName: string | null;
  actorType: 'user' | 'system';
  ip: string | null;
  target: string | null;
  details: Record<string, unknown>;
}

interface AuditRow {
  id: number;
  at: Date;
  action: string;
  actor_id: number | null;
  actor_type: 'user' | 'system';
  ip: string | null;
  target: string | null;
  details: Record<string, unknown>;
  actor_name?: string | null;
}

function toEntry(row: AuditRow): AuditEntry {
  return { id: row.id, at: row.at, action: row.action, actorId: row.actor_id, actorName: row.actor_name ?? null, actorType: row.actor_type, ip: row.ip, target: row.target, details: row.details };
}

/** request.ip may be an IPv4-mapped IPv6 address ("::ffff:1.2.3.4"); store the plain form. */
function cleanIp(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  return isIP(plain) === 0 ? null : plain;
}

/**
 * Appends one entry to the audit log. Pass the transaction's client when the audited change runs
 * in one, so the entry commits (or rolls back) with it.
 *
 * @example
 * await recordAudit(pool, { action: AUDIT_ACTIONS.ORDER_REFUNDED, actorId: user.id, ip: request.ip, target: `order:${id}`, details: { amountCents } });
 */
export async function recordAudit(db: Queryable, input: AuditInput): Promise<AuditEntry> {
  const { rows } = await db.query<AuditRow>(
    `INSERT INTO audit_log (action, actor_id, actor_type, ip, target, details)
     VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, at, action, actor_id, actor_type, host(ip) AS ip, target, details`,
    [input.action, input.actorId ?? null, input.actorType ?? 'user', cleanIp(input.ip), input.target ?? null, JSON.stringify(input.details ?? {})],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return toEntry(row);
}

export interface AuditFilter {
  action?: string;
  /** Prefix match on the action's area, e.g. `order` for order.status_changed and order.refunded. */
  area?: string;
  actorId?: number;
  target?: string;
  since?: Date;
  until?: Date;
  /** Entries with an id below this (the `nextBefore` of the previous page). */
  before?: number;
  limit?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: number | null;
}

export const AUDIT_PAGE_MAX = 1000;

/**
 * Newest entries first, filtered, one page at a time (keyset pagination on id, so paging stays
 * fast however long the log grows).
 */
export async function listAudit(db: Queryable, filter: AuditFilter = {}): Promise<AuditPage> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), AUDIT_PAGE_MAX);
  const { rows } = await db.query<AuditRow>(
    `SELECT a.id, a.at, a.action, a.actor_id, u.name AS actor_name, a.actor_type, host(a.ip) AS ip, a.target, a.details
       FROM audit_log a
       LEFT JOIN users u ON u.id = a.actor_id
      WHERE ($1::text IS NULL OR a.action = $1)
        AND ($2::text IS NULL OR a.action LIKE $2 || '.%')
        AND ($3::bigint IS NULL OR a.actor_id = $3)
        AND ($4::text IS NULL OR a.target = $4)
        AND ($5::timestamptz IS NULL OR a.at >= $5)
        AND ($6::timestamptz IS NULL OR a.at < $6)
        AND ($7::bigint IS NULL OR a.id < $7)
      ORDER BY a.id DESC
      LIMIT $8`,
    [
      filter.action ?? null,
      filter.area ?? null,
      filter.actorId ?? null,
      filter.target ?? null,
      filter.since ?? null,
      filter.until ?? null,
      filter.before ?? null,
      limit + 1,
    ],
  );
  const page = rows.slice(0, limit).map(toEntry);
  const last = page[page.length - 1];
  return { entries: page, nextBefore: rows.length > limit && last ? last.id : null };
}
