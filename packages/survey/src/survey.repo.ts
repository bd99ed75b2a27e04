import type { PoolClient, Pool } from '@threadline/db';

import type { SurveyReport } from './survey-report.js';

export interface SurveyUploadRow {
  id: number;
  contentHash: string;
  originalName: string;
  uploadDate: string;
  uploadedBy: number | null;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  createdAt: Date;
  report: SurveyReport;
}

interface Row {
  id: number;
  content_hash: string;
  original_name: string;
  upload_date: string;
  uploaded_by: number | null;
  rows_total: number;
  rows_accepted: number;
  rows_rejected: number;
  created_at: Date;
  report: SurveyReport;
}

const COLUMNS = 'id, content_hash, original_name, upload_date::text AS upload_date, uploaded_by, rows_total, rows_accepted, rows_rejected, created_at, report';

function toUpload(row: Row): SurveyUploadRow {
  return {
    id: row.id,
    contentHash: row.content_hash,
    originalName: row.original_name,
    uploadDate: row.upload_date,
    uploadedBy: row.uploaded_by,
    rowsTotal: row.rows_total,
    rowsAccepted: row.rows_accepted,
    rowsRejected: row.rows_rejected,
    createdAt: row.created_at,
    report: row.report,
  };
}

export async function findUploadByHash(db: Pool | PoolClient, contentHash: string): Promise<SurveyUploadRow | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM survey_uploads WHERE content_hash = $1`, [contentHash]);
  return rows[0] ? toUpload(rows[0]) : null;
}

export async function listSurveyUploads(pool: Pool, limit = 50): Promise<SurveyUploadRow[]> {
  const { rows } = await pool.query<Row>(`SELECT ${COLUMNS} FROM survey_uploads ORDER BY id DESC LIMIT $1`, [limit]);
  return rows.map(toUpload);
}

export async function insertSurveyUpload(
  db: PoolClient,
  input: { contentHash: string; originalName: string; storedPath: string; parquetPath: string; uploadDate: string; uploadedBy: number | null; report: SurveyReport },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO survey_uploads (content_hash, original_name, stored_path, parquet_path, upload_date, uploaded_by, rows_total, rows_accepted, rows_rejected, report)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
    [
      input.contentHash,
      input.originalName,
      input.storedPath,
      input.parquetPath,
      input.uploadDate,
      input.uploadedBy,
      input.report.rowsTotal,
      input.report.rowsAccepted,
      input.report.rowsRejected,
      JSON.stringify(input.report),
    ],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('insert returned no id');
  return id;
}

/** Serialises imports of the same content (transaction-level advisory lock on the hash). */
export async function lockContentHash(db: PoolClient, contentHash: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 727))', [contentHash]);
}

/** Stores the final report (with the upload id in it) on its upload row. */
export async function saveSurveyReport(db: PoolClient, uploadId: number, report: SurveyReport): Promise<void> {
  await db.query('UPDATE survey_uploads SET report = $2 WHERE id = $1', [uploadId, JSON.stringify(report)]);
}
