import type { PoolClient } from '../pool.js';
import { copyIntoStage } from './copy-stage.js';
import type { LegacyCustomer } from './legacy-import.repo.js';

/**
 * Set-based import of legacy customers: COPY into staging, then conflicts, links and upserts in a
 * few statements inside the caller's transaction (the same rules as `upsertLegacyCustomer`).
 */

const STAGE = 'legacy_stage_customers';
const COLUMNS = [
  'row_number', 'legacy_id', 'email', 'name', 'age_band', 'gender', 'country', 'region', 'state_province',
  'customer_segment', 'marketing_consent', 'created_at',
] as const;

export async function stageCustomers(client: PoolClient, rows: ReadonlyArray<LegacyCustomer & { rowNumber: number }>): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE ${STAGE} (
      row_number int PRIMARY KEY, legacy_id text NOT NULL, email text, name text NOT NULL, age_band text, gender text,
      country text, region text, state_province text, customer_segment text, marketing_consent boolean NOT NULL,
      created_at timestamptz
    ) ON COMMIT DROP`);
  await copyIntoStage(
    client,
    STAGE,
    COLUMNS,
    rows.map((row) => [
      row.rowNumber, row.legacyId, row.email, row.name, row.ageBand, row.gender, row.country, row.region,
      row.stateProvince, row.customerSegment, row.marketingConsent, row.createdAt,
    ]),
  );
  // a legacy id listed twice: its last row wins, as when the rows were written one by one
  await client.query(`
    DELETE FROM ${STAGE} s USING ${STAGE} later
     WHERE later.legacy_id = s.legacy_id AND later.row_number > s.row_number`);
}

/** Rows whose e-mail already belongs to another legacy customer (in the shop or earlier in the file). */
export async function findCustomerConflicts(client: PoolClient): Promise<Array<{ rowNumber: number; reason: string }>> {
  const { rows } = await client.query<{ row_number: number; other: string }>(`
    SELECT s.row_number, u.legacy_id AS other
      FROM ${STAGE} s JOIN users u ON lower(u.email) = lower(s.email)
     WHERE s.email IS NOT NULL AND u.legacy_id IS NOT NULL AND u.legacy_id <> s.legacy_id
    UNION ALL
    SELECT s.row_number, first.legacy_id
      FROM ${STAGE} s JOIN ${STAGE} first ON lower(first.email) = lower(s.email) AND first.row_number < s.row_number
     WHERE s.email IS NOT NULL AND first.legacy_id <> s.legacy_id
     ORDER BY 1`);
  const seen = new Set<number>();
  const conflicts: Array<{ rowNumber: number; reason: string }> = [];
  for (const row of rows) {
    if (seen.has(row.row_number)) continue;
    seen.add(row.row_number);
    conflicts.push({ rowNumber: row.row_number, reason: `email already belongs to legacy customer ${row.other}` });
  }
  return conflicts;
}

export async function dropStagedCustomers(client: PoolClient, rowNumbers: readonly number[]): Promise<void> {
  if (rowNumbers.length > 0) await client.query(`DELETE FROM ${STAGE} WHERE row_number = ANY($1)`, [rowNumbers]);
}

/**
 * Links staged customers to existing accounts with the same e-mail (no legacy id yet), then
 * creates or updates the rest by legacy id. Imported accounts get no password.
 */
export async function writeStagedCustomers(client: PoolClient): Promise<{ created: number; updated: number }> {
  // linked accounts keep their own name, e-mail and consent: only missing segment fields are filled
  const linked = await client.query(`
    WITH linked AS (
      UPDATE users u
         SET legacy_id = s.legacy_id, age_band = coalesce(s.age_band, u.age_band), gender = coalesce(s.gender, u.gender),
             country = coalesce(s.country, u.country), region = coalesce(s.region, u.region),
             state_province = coalesce(s.state_province, u.state_province), customer_segment = coalesce(s.customer_segment, u.customer_segment)
        FROM ${STAGE} s
       WHERE s.email IS NOT NULL AND lower(u.email) = lower(s.email) AND u.legacy_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM users other WHERE other.legacy_id = s.legacy_id)
      RETURNING u.legacy_id
    )
    DELETE FROM ${STAGE} s USING linked WHERE s.legacy_id = linked.legacy_id`);
  const { rows } = await client.query<{ created: number; updated: number }>(`
    WITH upserted AS (
      INSERT INTO users (legacy_id, email, name, role, age_band, gender, country, region, state_province,
                         customer_segment, marketing_consent, created_at)
      SELECT legacy_id, email, name, 'customer', age_band, gender, country, region, state_province,
             customer_segment, marketing_consent, coalesce(created_at, now())
        FROM ${STAGE}
      ON CONFLICT (legacy_id) DO UPDATE
        SET email = coalesce(EXCLUDED.email, users.email), name = EXCLUDED.name, age_band = EXCLUDED.age_band,
            gender = EXCLUDED.gender, country = EXCLUDED.country, region = EXCLUDED.region,
            state_province = EXCLUDED.state_province, customer_segment = EXCLUDED.customer_segment,
            marketing_consent = EXCLUDED.marketing_consent
      RETURNING (xmax = 0) AS is_new
    )
    SELECT count(*) FILTER (WHERE is_new)::int AS created, count(*) FILTER (WHERE NOT is_new)::int AS updated FROM upserted`);
  const counts = rows[0] ?? { created: 0, updated: 0 };
  return { created: counts.created, updated: counts.updated + (linked.rowCount ?? 0) };
}
