import type { Queryable } from '../pool.js';

export interface AccessLogImportRow {
  contentHash: string;
  fileName: string;
  format: 'combined' | 'json';
  status: 'importing' | 'done';
  lines: number;
  events: number;
  pageRequests: number;
  malformed: number;
  firstEventAt: Date | null;
  lastEventAt: Date | null;
  finishedAt: Date | null;
}

export async function findAccessLogImport(db: Queryable, contentHash: string): Promise<AccessLogImportRow | undefined> {
  const { rows } = await db.query<AccessLogImportRow>(
    `SELECT content_hash AS "contentHash", file_name AS "fileName", format, status, lines, events, page_requests AS "pageRequests",
            malformed, first_event_at AS "firstEventAt", last_event_at AS "lastEventAt", finished_at AS "finishedAt"
       FROM access_log_imports WHERE content_hash = $1`,
    [contentHash],
  );
  return rows[0];
}

/** Marks a file as being imported (a crash leaves it 'importing', and a re-run redoes it). */
export async function startAccessLogImport(db: Queryable, entry: { contentHash: string; fileName: string; format: 'combined' | 'json'; importedBy: string | null }): Promise<void> {
  await db.query(
    `INSERT INTO access_log_imports (content_hash, file_name, format, status, imported_by) VALUES ($1, $2, $3, 'importing', $4)
     ON CONFLICT (content_hash) DO UPDATE SET status = 'importing', started_at = now(), file_name = EXCLUDED.file_name`,
    [entry.contentHash, entry.fileName, entry.format, entry.importedBy],
  );
}

export async function finishAccessLogImport(
  db: Queryable,
  entry: { contentHash: string; lines: number; events: number; pageRequests: number; malformed: number; firstEventAt: Date | null; lastEventAt: Date | null },
): Promise<void> {
  await db.query(
    `UPDATE access_log_imports
        SET status = 'done', lines = $2, events = $3, page_requests = $4, malformed = $5,
            first_event_at = $6, last_event_at = $7, finished_at = now()
      WHERE content_hash = $1`,
    [entry.contentHash, entry.lines, entry.events, entry.pageRequests, entry.malformed, entry.firstEventAt, entry.lastEventAt],
  );
}

export async function listAccessLogImports(db: Queryable): Promise<AccessLogImportRow[]> {
  const { rows } = await db.query<AccessLogImportRow>(
    `SELECT content_hash AS "contentHash", file_name AS "fileName", format, status, lines, events, page_requests AS "pageRequests",
            malformed, first_event_at AS "firstEventAt", last_event_at AS "lastEventAt", finished_at AS "finishedAt"
       FROM access_log_imports ORDER BY started_at DESC`,
  );
  return rows;
}
