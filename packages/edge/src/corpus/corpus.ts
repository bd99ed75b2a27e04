import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Folder of the committed corpora (`train/` and `test/`, each `attacks.jsonl` and `legit.jsonl`), one request per line. */
export const CORPUS_DIR = fileURLToPath(new URL('../../corpus/', import.meta.url));

export type CorpusKind = 'attack' | 'legit';

/** Header a replay sends for `role`: the stub app reads it where the real API reads the session. */
export const CORPUS_ROLE_HEADER = 'x-corpus-role';
/** `train`: what the rules are written against; `test`: held out, for measuring only. */
export type CorpusSplit = 'train' | 'test';

/** One HTTP request of a corpus, replayable in-process or over a socket. */
export interface CorpusRequest {
  id: string;
  kind: CorpusKind;
  /** sqli, xss, traversal, rce, special, scanner (attacks); search, review, product, login, browse (legit). */
  category: string;
  method: string;
  /** Path and query, percent-encoded as a browser or attack tool would send it. */
  url: string;
  headers: Record<string, string>;
  /** Raw body text (JSON or form encoded, per the content-type header). */
  body?: string;
  /** The signed-in role the request is sent as (the admin SQL console), when it matters. */
  role?: string;
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((item) => typeof item === 'string');
}

/** Checks one parsed corpus line; names the line and field at fault. */
export function parseCorpusLine(value: unknown, where: string): CorpusRequest {
  if (typeof value !== 'object' || value === null) throw new Error(`${where}: expected an object`);
  const record: Record<string, unknown> = { ...value };
  const { id, kind, category, method, url, headers, body, role } = record;
  if (typeof id !== 'string') throw new Error(`${where}: id must be a string`);
  if (kind !== 'attack' && kind !== 'legit') throw new Error(`${where}: kind must be attack or legit`);
  if (typeof category !== 'string') throw new Error(`${where}: category must be a string`);
  if (typeof method !== 'string') throw new Error(`${where}: method must be a string`);
  if (typeof url !== 'string' || !url.startsWith('/')) throw new Error(`${where}: url must start with /`);
  if (!isStringRecord(headers)) throw new Error(`${where}: headers must map names to strings`);
  if (body !== undefined && typeof body !== 'string') throw new Error(`${where}: body must be a string`);
  if (role !== undefined && typeof role !== 'string') throw new Error(`${where}: role must be a string`);
  return { id, kind, category, method, url, headers, ...(body === undefined ? {} : { body }), ...(role === undefined ? {} : { role }) };
}

/**
 * Reads `corpus/<split>/<kind>s.jsonl`. Report figures from the `test` split only: the rules were
 * written against `train`.
 */
export function loadCorpus(kind: CorpusKind, options: { split: CorpusSplit; dir?: string }): CorpusRequest[] {
  const file = `${options.dir ?? CORPUS_DIR}${options.split}/${kind === 'attack' ? 'attacks' : 'legit'}.jsonl`;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => parseCorpusLine(JSON.parse(line), `${file}:${index + 1}`));
}

/** Share of requests a layer blocked, per category and overall. */
export interface CorpusRates {
  total: number;
  blocked: number;
  rate: number;
  byCategory: Record<string, { total: number; blocked: number; rate: number }>;
  /** Ids of the requests on the wrong side (attacks let through, legit requests blocked). */
  misses: string[];
}

/** Summarises which requests of a corpus were blocked. */
export function summariseRates(requests: readonly CorpusRequest[], isBlocked: ReadonlyMap<string, boolean>): CorpusRates {
  const byCategory: CorpusRates['byCategory'] = {};
  let blocked = 0;
  const misses: string[] = [];
  for (const request of requests) {
    const wasBlocked = isBlocked.get(request.id) === true;
    const bucket = (byCategory[request.category] ??= { total: 0, blocked: 0, rate: 0 });
    bucket.total += 1;
    if (wasBlocked) {
      bucket.blocked += 1;
      blocked += 1;
    }
    if (wasBlocked !== (request.kind === 'attack')) misses.push(request.id);
  }
  for (const bucket of Object.values(byCategory)) bucket.rate = bucket.total === 0 ? 0 : bucket.blocked / bucket.total;
  return { total: requests.length, blocked, rate: requests.length === 0 ? 0 : blocked / requests.length, byCategory, misses };
}
