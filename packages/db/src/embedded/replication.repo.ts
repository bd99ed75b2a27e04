import type pg from 'pg';

/** Name of the replication slot, and the application name, of the embedded hot standby. */
export const STANDBY_NAME = 'threadline_standby';
/** Role the standby streams as (REPLICATION LOGIN, nothing else). */
export const REPLICATION_ROLE = 'replicator';

export interface ReplicationState {
  /** `streaming`, `catchup`, … (pg_stat_replication.state). */
  state: string;
  /** `sync` once commits wait for the standby; `async` / `potential` otherwise. */
  syncState: string;
  /** WAL the standby has not replayed yet, in bytes. */
  lagBytes: number;
  /** How far replay trails the primary (pg_stat_replication.replay_lag; 0 when idle). */
  lagSeconds: number;
}

/** Creates (or re-keys) the replication role on the primary. */
export async function ensureReplicationRole(client: pg.ClientBase, password: string): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [REPLICATION_ROLE]);
  // DDL takes no parameters: the password is quoted by the driver
  const verb = (found.rowCount ?? 0) > 0 ? 'ALTER' : 'CREATE';
  await client.query(`${verb} ROLE ${client.escapeIdentifier(REPLICATION_ROLE)} WITH REPLICATION LOGIN PASSWORD ${client.escapeLiteral(password)}`);
}

/** Drops the standby's replication slot when it exists (before a new base backup creates it again). */
export async function dropStandbySlot(client: pg.ClientBase): Promise<void> {
  await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [STANDBY_NAME]);
}

/** Every connected standby, for /metrics (lag in bytes and seconds per application name). */
export async function replicationLag(client: pg.ClientBase | pg.Pool): Promise<Array<{ name: string } & ReplicationState>> {
  const { rows } = await client.query<{ name: string; state: string; sync_state: string; lag_bytes: string | null; lag_seconds: number | null }>(
    `SELECT application_name AS name, state, sync_state,
            pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS lag_bytes,
            COALESCE(EXTRACT(EPOCH FROM replay_lag), 0)::float8 AS lag_seconds
       FROM pg_stat_replication`,
  );
  return rows.map((row) => ({ name: row.name, state: row.state, syncState: row.sync_state, lagBytes: Number(row.lag_bytes ?? 0), lagSeconds: Number(row.lag_seconds ?? 0) }));
}

/**
 * Makes commits wait for the standby (`names` = its application name) or not (`''`), at once
 * (ALTER SYSTEM + reload, so it survives a restart of the primary).
 */
export async function setSynchronousStandby(client: pg.ClientBase, names: string): Promise<void> {
  await client.query(`ALTER SYSTEM SET synchronous_standby_names = ${client.escapeLiteral(names)}`);
  await client.query('SELECT pg_reload_conf()');
}

/**
 * Promotes a standby (new timeline) and waits until it accepts writes. A server no longer in
 * recovery is left as it is: a retry after a lost answer promotes nothing twice.
 */
export async function promoteStandby(client: pg.ClientBase): Promise<void> {
  if (!(await isInRecovery(client))) return;
  const { rows } = await client.query<{ promoted: boolean }>('SELECT pg_promote(true, 30) AS promoted');
  if (!rows[0]?.promoted) throw new Error('pg_promote did not finish within 30 s');
}

/** True on a standby (still replaying WAL). */
export async function isInRecovery(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ recovering: boolean }>('SELECT pg_is_in_recovery() AS recovering');
  return rows[0]?.recovering === true;
}

/**
 * Timeline a primary writes WAL on now (the first 8 hex digits of its current WAL file's name):
 * right after a promotion, before any checkpoint, `currentTimeline` still names the old one.
 */
export async function writeTimeline(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ file: string }>('SELECT pg_walfile_name(pg_current_wal_lsn()) AS file');
  return Number.parseInt((rows[0]?.file ?? '').slice(0, 8), 16);
}

/** Timeline of the cluster's last checkpoint (grows by one at each promotion). */
export async function currentTimeline(client: pg.ClientBase | pg.Pool): Promise<number> {
  const { rows } = await client.query<{ timeline: number }>('SELECT timeline_id AS timeline FROM pg_control_checkpoint()');
  return Number(rows[0]?.timeline ?? 0);
}

/** The embedded standby as the primary sees it, or undefined when it is not connected. */
export async function standbyReplication(client: pg.ClientBase): Promise<ReplicationState | undefined> {
  return (await replicationLag(client)).find((standby) => standby.name === STANDBY_NAME);
}
