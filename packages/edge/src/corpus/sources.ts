/**
 * Reads the public attack collections committed under corpus/sources/ (SecLists, fuzzdb,
 * sqlmap's payload templates, XSS cheat sheets, SSTI and Log4Shell lists — see
 * corpus/SOURCES.md for each file's origin and licence) and turns each line into a payload as an
 * attack tool would send it: placeholders filled, sqlmap templates wrapped in sqlmap's boundaries,
 * command templates expanded with real commands.
 *
 * The filter that drops lines is fixed and rule-agnostic: empty lines, comments, lines shorter
 * than four characters and lines made only of words (a bare `select` or `delete` in a list is a
 * fuzzing keyword, not an attack — and the same word is ordinary shop text).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Attack classes of the corpus; each maps to one or more source files. */
export const ATTACK_CLASSES = ['sqli', 'xss', 'traversal', 'rce', 'ssti', 'ssrf', 'nosql', 'log4shell', 'xxe', 'crlf', 'scanner'] as const;
export type AttackClass = (typeof ATTACK_CLASSES)[number];

export interface SourcePayload {
  category: AttackClass;
  payload: string;
  /** Source file name under corpus/sources/. */
  source: string;
  /** A user-agent payload (scanners), a request path (scanner probes), or a value. */
  shape: 'value' | 'user-agent' | 'path';
}

const SOURCE_FILES: readonly { file: string; category: AttackClass; shape?: SourcePayload['shape'] }[] = [
  { file: 'sqli-seclists-generic.txt', category: 'sqli' },
  { file: 'sqli-fuzzdb-xplatform.txt', category: 'sqli' },
  { file: 'sqli-sqlmap-templates.txt', category: 'sqli' },
  { file: 'xss-cheatsheets.txt', category: 'xss' },
  { file: 'traversal-lfi.txt', category: 'traversal' },
  { file: 'rce-commands.txt', category: 'rce' },
  { file: 'ssti.txt', category: 'ssti' },
  { file: 'ssrf.txt', category: 'ssrf' },
  { file: 'nosql-injection.txt', category: 'nosql' },
  { file: 'log4shell.txt', category: 'log4shell' },
  { file: 'xxe.txt', category: 'xxe' },
  { file: 'crlf.txt', category: 'crlf' },
  { file: 'scanner-paths.txt', category: 'scanner', shape: 'path' },
  { file: 'scanner-user-agents.txt', category: 'scanner', shape: 'user-agent' },
];

/** A stable number 0…2^32-1 for a text: decides boundaries, placements and the train/test split. */
export function stableHash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

/** Picks one item of a list by a stable hash of `key`. */
export function pick<T>(items: readonly T[], key: string): T {
  const item = items[stableHash(key) % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** sqlmap's placeholder values (it draws random ones; fixed here so the corpus is reproducible). */
function fillSqlmap(template: string, key: string): string {
  const base = 1000 + (stableHash(key) % 8000);
  return template
    .replaceAll('[RANDNUM]', String(base))
    .replace(/\[RANDNUM(\d)\]/g, (_m, n: string) => String(base + Number(n) * 7))
    .replaceAll('[SLEEPTIME]', '5')
    .replaceAll('[RANDSTR]', 'qXvZ')
    .replaceAll('[ORIGVALUE]', '1')
    .replaceAll('[DELIMITER_START]', 'qkjvq')
    .replaceAll('[DELIMITER_STOP]', 'qzxjq');
}

/**
 * sqlmap's boundaries (data/xml/boundaries.xml): how a test payload is closed off after the
 * original value and how the rest of the query is neutralised.
 */
const SQLMAP_BOUNDARIES: readonly [prefix: string, suffix: string][] = [
  ['1 ', ''],
  ["1' ", " AND 'qXvZ'='qXvZ"],
  ["1') ", " AND ('qXvZ'='qXvZ"],
  ['1" ', ' AND "qXvZ"="qXvZ'],
  ["1' ", '-- -'],
  ['1) ', ' AND (3817=3817'],
  ['1 ', '#'],
];

function wrapSqlmap(payload: string, key: string): string {
  // a payload that replaces the value (a sub-select, a function) or continues a list/statement
  if (/^[,;]/.test(payload)) return `1${payload}`;
  if (!/^(?:and|rlike|having|waitfor|procedure|begin)\b/i.test(payload)) return payload;
  const [prefix, suffix] = pick(SQLMAP_BOUNDARIES, key);
  return `${prefix}${payload}${suffix}`;
}

function readLines(dir: string, file: string): string[] {
  return readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => !line.startsWith('# '));
}

function isKept(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.length >= 4 && !/^[\w\s.,]+$/.test(trimmed);
}

/** Every payload of the committed sources, deduplicated per class, in file order. */
export function readSourcePayloads(dir: string): SourcePayload[] {
  const commands = readLines(dir, 'rce-commands-list.txt').filter((line) => line.trim() !== '');
  const seen = new Set<string>();
  const out: SourcePayload[] = [];
  for (const { file, category, shape = 'value' } of SOURCE_FILES) {
    for (const line of readLines(dir, file)) {
      if (!isKept(line)) continue;
      let payloads: string[];
      if (file === 'sqli-sqlmap-templates.txt') payloads = [wrapSqlmap(fillSqlmap(line, line), line)];
      else if (line.includes('{cmd}')) payloads = [line.replaceAll('{cmd}', pick(commands, line))];
      else payloads = [line.replaceAll('__TIME__', '5')];
      for (const payload of payloads) {
        const key = `${category}\u0000${payload}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ category, payload, source: file, shape });
      }
    }
  }
  return out;
}
