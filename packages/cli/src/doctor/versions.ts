/**
 * Pure parts of `threadline doctor`: reading version strings out of tool output and comparing
 * them with what Threadline supports (deploy/ci/versions.json and the table below).
 */

/** First dotted version number in a tool's output, e.g. "pgBackRest 2.45" → "2.45". */
export function parseVersion(output: string): string | undefined {
  return /(\d+)\.(\d+)(?:\.(\d+))?/.exec(output)?.[0];
}

/** Compares dotted versions numerically: negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

export type CheckStatus = 'ok' | 'warn' | 'missing' | 'fail';

// A type alias, not an interface, so that rows pass as Record<string, unknown> to printRows.
export type CheckResult = {
  check: string;
  status: CheckStatus;
  found: string;
  need: string;
  /** What to do when the status is not ok. */
  fix: string;
};

/** Host tools Threadline drives, their lowest tested version and how to install them on Debian/Ubuntu. */
export const TOOLS = [
  { check: 'pgBackRest', commands: [['pgbackrest', 'version']], minimum: '2.40', install: 'apt-get install pgbackrest', use: 'WAL archive, 02:00 backups, point-in-time restore' },
  { check: 'Prometheus', commands: [['prometheus', '--version']], minimum: '2.40', install: 'apt-get install prometheus', use: 'metrics and alert rules' },
  {
    check: 'Alertmanager',
    commands: [['prometheus-alertmanager', '--version'], ['alertmanager', '--version']],
    minimum: '0.25',
    install: 'apt-get install prometheus-alertmanager',
    use: 'alerts to Slack',
  },
  { check: 'nginx', commands: [['nginx', '-v']], minimum: '1.22', install: 'apt-get install nginx libnginx-mod-http-modsecurity modsecurity-crs', use: 'TLS and WAF in front of the web tier' },
  { check: 'Chromium', commands: [['chromium', '--version'], ['chromium-browser', '--version']], minimum: '120.0', install: 'apt-get install chromium', use: 'browser end-to-end tests' },
] as const;

/** Judges a found tool version against its minimum; absent optional tools are "missing", not failures. */
export function judgeTool(tool: (typeof TOOLS)[number], output: string | undefined): CheckResult {
  const need = `>= ${tool.minimum} (${tool.use})`;
  if (output === undefined) return { check: tool.check, status: 'missing', found: 'not installed', need, fix: tool.install };
  const version = parseVersion(output);
  if (!version) return { check: tool.check, status: 'warn', found: output.split('\n')[0]?.slice(0, 60) ?? '', need, fix: `cannot read the version; reinstall with: ${tool.install}` };
  if (compareVersions(version, tool.minimum) < 0) return { check: tool.check, status: 'warn', found: version, need, fix: `upgrade: ${tool.install}` };
  return { check: tool.check, status: 'ok', found: version, need, fix: '' };
}

/** Node.js: a supported major (versions.json) at or above the engines floor. */
export function judgeNode(version: string, supportedMajors: readonly string[], floor: string): CheckResult {
  const bare = version.replace(/^v/, '');
  const major = bare.split('.')[0] ?? '';
  const need = `${supportedMajors.join(' or ')} (>= ${floor})`;
  if (compareVersions(bare, floor) < 0) return { check: 'Node.js', status: 'fail', found: bare, need, fix: `install Node.js ${supportedMajors.at(-1)} LTS (e.g. from nodejs.org or NodeSource)` };
  if (!supportedMajors.includes(major)) return { check: 'Node.js', status: 'warn', found: bare, need, fix: `untested major; CI tests ${supportedMajors.join(' and ')}` };
  return { check: 'Node.js', status: 'ok', found: bare, need, fix: '' };
}

/** PostgreSQL server: a supported major (versions.json). */
export function judgePostgres(check: string, version: string | undefined, supportedMajors: readonly string[], fix: string): CheckResult {
  const need = supportedMajors.join(', ');
  if (!version) return { check, status: 'fail', found: 'not found', need, fix };
  const major = version.split('.')[0] ?? '';
  if (!supportedMajors.includes(major)) return { check, status: 'fail', found: version, need, fix: `use PostgreSQL ${supportedMajors.join(', ')}` };
  return { check, status: 'ok', found: version, need, fix: '' };
}

/** Free disk under the data directory: below 1 GiB fails, below 5 GiB warns. */
export function judgeDisk(path: string, freeBytes: number): CheckResult {
  const gib = freeBytes / 1024 ** 3;
  const found = `${gib.toFixed(1)} GiB free at ${path}`;
  const need = '>= 5 GiB (database, lake, backups)';
  if (gib < 1) return { check: 'disk', status: 'fail', found, need, fix: 'free space or point THREADLINE_DATA_DIR at a larger disk' };
  if (gib < 5) return { check: 'disk', status: 'warn', found, need, fix: 'backups and the lake grow daily: plan more space' };
  return { check: 'disk', status: 'ok', found, need, fix: '' };
}
