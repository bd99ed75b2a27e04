import type { BackupConfig } from './backup-config.js';
import { findPgBackRest, runPgBackRest } from './pgbackrest.js';

export type BackupType = 'full' | 'diff' | 'incr';

/** One backup set in a repository, as `pgbackrest info --output=json` describes it. */
export interface BackupSet {
  repo: number;
  label: string;
  type: BackupType;
  startedAt: Date;
  stoppedAt: Date;
  /** Database size (bytes) and stored size in the repository after compression. */
  databaseBytes: number;
  repositoryBytes: number;
  walStart: string;
  walStop: string;
  isError: boolean;
}

export interface StanzaInfo {
  /** pgBackRest status: 0 = ok, 2 = no valid backups, others = problems (message says which). */
  statusCode: number;
  statusMessage: string;
  backups: BackupSet[];
  /** Archived WAL range per repository. */
  archive: Array<{ repo: number; min: string | null; max: string | null }>;
  repos: Array<{ repo: number; statusCode: number; statusMessage: string; isEncrypted: boolean }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function field(value: unknown, ...keys: string[]): unknown {
  let current: unknown = value;
  for (const key of keys) current = isRecord(current) ? current[key] : undefined;
  return current;
}
const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function isBackupType(value: string): value is BackupType {
  return value === 'full' || value === 'diff' || value === 'incr';
}

/** Narrows pgbackrest's JSON (an array of stanzas) to what the CLI, metrics and drill need. */
export function parseStanzaInfo(json: unknown, stanza: string): StanzaInfo | undefined {
  const found = list(json).find((entry) => field(entry, 'name') === stanza);
  if (!found) return undefined;
  const backups: BackupSet[] = [];
  for (const entry of list(field(found, 'backup'))) {
    const type = str(field(entry, 'type'));
    if (!isBackupType(type)) continue;
    backups.push({
      repo: num(field(entry, 'database', 'repo-key')),
      label: str(field(entry, 'label')),
      type,
      startedAt: new Date(num(field(entry, 'timestamp', 'start')) * 1000),
      stoppedAt: new Date(num(field(entry, 'timestamp', 'stop')) * 1000),
      databaseBytes: num(field(entry, 'info', 'size')),
      repositoryBytes: num(field(entry, 'info', 'repository', 'size')),
      walStart: str(field(entry, 'archive', 'start')),
      walStop: str(field(entry, 'archive', 'stop')),
      isError: field(entry, 'error') === true,
    });
  }
  backups.sort((a, b) => a.stoppedAt.getTime() - b.stoppedAt.getTime() || a.repo - b.repo);
  return {
    statusCode: num(field(found, 'status', 'code')),
    statusMessage: str(field(found, 'status', 'message')),
    backups,
    archive: list(field(found, 'archive')).map((entry) => ({
      repo: num(field(entry, 'database', 'repo-key')),
      min: str(field(entry, 'min')) || null,
      max: str(field(entry, 'max')) || null,
    })),
    repos: list(field(found, 'repo')).map((entry) => ({
      repo: num(field(entry, 'key')),
      statusCode: num(field(entry, 'status', 'code')),
      statusMessage: str(field(entry, 'status', 'message')),
      isEncrypted: str(field(entry, 'cipher')) !== 'none' && str(field(entry, 'cipher')) !== '',
    })),
  };
}

/** Reads the stanza's backups; undefined when pgbackrest is missing or the stanza does not exist yet. */
export async function readStanzaInfo(backup: BackupConfig): Promise<StanzaInfo | undefined> {
  if (!findPgBackRest()) return undefined;
  const result = await runPgBackRest(backup, ['info', '--output=json']);
  if (result.code !== 0) return undefined;
  try {
    return parseStanzaInfo(JSON.parse(result.stdout), backup.stanza);
  } catch {
    return undefined;
  }
}

/** The newest successful backup (any repository), or undefined. */
export function latestBackup(info: StanzaInfo | undefined, repo?: number): BackupSet | undefined {
  const sets = (info?.backups ?? []).filter((set) => !set.isError && (repo === undefined || set.repo === repo));
  return sets.at(-1);
}
