/**
 * Plain GET load with `wrk` (C, Debian package `wrk`): about a tenth of autocannon's CPU per request,
 * so rows driven by it measure the tiers rather than the load generator. Sessions, CSRF and POST
 * flows keep the Node generator (http-load.ts); callers fall back to it when wrk is missing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { parseProcStat } from './checkout-breakdown.js';
import type { LoadFigures, LoadRequest } from './http-load.js';

/** Linux reports process times in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** The marker of the one machine-readable line the Lua `done` hook prints. */
const SUMMARY_MARKER = 'WRK_SUMMARY ';

export interface WrkOptions {
  url: string;
  connections: number;
  durationS: number;
  /** GET requests cycled through (path and headers); default: GET `url`. */
  requests?: readonly LoadRequest[];
  /** Pin wrk to these CPUs (a taskset list such as "1"); unpinned when absent. */
  cpus?: string;
}

export interface WrkFigures extends LoadFigures {
  /** CPU wrk itself spent (user + system, from /proc), in ms. */
  generatorCpuMs: number;
}

/** Whether `wrk` can be run here. */
export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version prints its banner and exits 1; only a missing binary is "not available"
    return !(error instanceof Error && 'code' in error && error.code === 'ENOENT');
  }
}

/** The Lua script: requests formatted once in `init`, cycled per request, one summary line at the end. */
export function wrkScript(requests: readonly LoadRequest[]): string {
  for (const request of requests) {
    if ((request.method ?? 'GET') !== 'GET' || request.body !== undefined) throw new Error(`wrk load: GET without body only (${request.method ?? 'GET'} ${request.path})`);
  }
  const lua = (text: string): string => JSON.stringify(text); // a JSON string of ASCII is a valid Lua string literal
  const entries = requests.map((request) => {
    const headers = Object.entries(request.headers ?? {}).map(([name, value]) => `[${lua(name)}]=${lua(value)}`);
    return `{${lua(request.path)}, {${headers.join(', ')}}}`;
  });
  return `local plan = {${entries.join(',\n')}}
local formatted = {}
local at = 0
init = function(args)
  for index, entry in ipairs(plan) do formatted[index] = wrk.format("GET", entry[1], entry[2]) end
end
request = function()
  at = at % #formatted + 1
  return formatted[at]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${SUMMARY_MARKER}{"requests":%d,"durationUs":%d,"p50Us":%d,"p95Us":%d,"p99Us":%d,"maxUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
`;
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  p50Us: number;
  p95Us: number;
  p99Us: number;
  maxUs: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
}

const SUMMARY_FIELDS = ['requests', 'durationUs', 'p50Us', 'p95Us', 'p99Us', 'maxUs', 'connect', 'read', 'write', 'status', 'timeout'] as const;

/** Reads the summary line of the script's `done` hook out of wrk's output; fails naming what is missing. */
export function parseWrkSummary(output: string): WrkSummary {
  const line = output.split('\n').find((candidate) => candidate.startsWith(SUMMARY_MARKER));
  if (line === undefined) throw new Error(`wrk load: no ${SUMMARY_MARKER.trim()} line in wrk's output:\n${output}`);
  const parsed: unknown = JSON.parse(line.slice(SUMMARY_MARKER.length));
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`wrk load: summary is not an object: ${line}`);
  const summary: Partial<WrkSummary> = {};
  for (const field of SUMMARY_FIELDS) {
    const value: unknown = Reflect.get(parsed, field);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`wrk load: summary field ${field} is not a number: ${line}`);
    summary[field] = value;
  }
  // every field was checked to be a finite number just above
  return summary as WrkSummary;
}

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/**
 * Runs wrk (one thread, keep-alive connections) and returns the same figures as `measure`, plus the
 * CPU wrk spent: wrk runs under `sh`, which prints its own /proc stat after reaping wrk, whose times
 * are then in the shell's cutime/cstime.
 */
export async function measureWithWrk(options: WrkOptions): Promise<WrkFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-wrk-'));
  try {
    const script = path.join(dir, 'load.lua');
    writeFileSync(script, wrkScript(options.requests ?? [{ path: new URL(options.url).pathname }]));
    const wrkArgs = ['-t1', `-c${options.connections}`, `-d${options.durationS}s`, '--timeout', '10s', '-s', script, options.url];
    const command = options.cpus === undefined ? ['wrk', ...wrkArgs] : ['taskset', '-c', options.cpus, 'wrk', ...wrkArgs];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('sh', ['-c', '"$@" && echo && cat /proc/$$/stat', 'sh', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let errorText = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errorText += chunk));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${errorText}${text}`))));
    });
    const summary = parseWrkSummary(output);
    const statLine = output.trimEnd().split('\n').at(-1) ?? '';
    const stat = parseProcStat(statLine);
    if (stat === null) throw new Error(`wrk load: unreadable /proc stat line after wrk: ${statLine}`);
    const durationS = summary.durationUs / 1e6;
    const ok = summary.requests - summary.status;
    return {
      reqPerSec: round(ok / durationS, 1),
      p50Ms: round(summary.p50Us / 1000),
      p95Ms: round(summary.p95Us / 1000),
      p99Ms: round(summary.p99Us / 1000),
      maxMs: round(summary.maxUs / 1000),
      requests: summary.requests,
      errors: summary.connect + summary.read + summary.write,
      non2xx: summary.status,
      timeouts: summary.timeout,
      connections: options.connections,
      durationS: round(durationS, 1),
      generatorCpuMs: (stat.ticks * 1000) / TICKS_PER_SECOND,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
