import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freeLoopbackPort } from '@threadline/config';

import { generateModSecurityRules } from './modsecurity-rules.js';

/** deploy/nginx in the repository: the production config templates. */
export const NGINX_DEPLOY_DIR = fileURLToPath(new URL('../../../../deploy/nginx/', import.meta.url));

/** Values the templates take (deploy/nginx/README.md lists production ones). */
export interface NginxValues {
  /** Writable runtime folder: pid, logs/, tmp/. */
  prefix: string;
  /** Where the rendered config goes (nginx.conf, security-headers.conf, modsecurity/). */
  confDir: string;
  listenAddress: string;
  httpPort: number;
  httpsPort: number;
  serverName: string;
  tlsCert: string;
  tlsKey: string;
  webUpstream: string;
  apiUpstream: string;
  /** Folder that holds assets/ (apps/web/dist). */
  assetsRoot: string;
  /** CRS paranoia level 1–4. */
  paranoia: number;
  /**
   * Loopback port of the WAF-record server: refused requests are re-run there in detection-only
   * mode so the audit log keeps their rule ids (ModSecurity-nginx drops them on error_page).
   */
  wafRecordPort?: number;
  /** ModSecurity on (default) or off — off only to measure what it costs. */
  isModSecurityOn?: boolean;
  hstsMaxAge: number;
  /** Per-IP request rate for /api (nginx syntax, e.g. 20r/s). */
  apiRate: string;
  /** Requests over `apiRate` let through at once before 429 (default 100). */
  apiBurst?: number;
  /** Per-IP login attempts (nginx syntax; default 30r/m). */
  loginRate?: string;
  /** Login attempts over `loginRate` let through at once before 429 (default 10). */
  loginBurst?: number;
  /** Debian: /usr/lib/nginx/modules. */
  modulesDir: string;
  /** Debian: /etc/nginx/mime.types. */
  mimeTypes: string;
  /** Debian (modsecurity-crs): /usr/share/modsecurity-crs/rules. */
  crsRules: string;
}

/** Paths of Debian's nginx, libnginx-mod-http-modsecurity and modsecurity-crs packages. */
export const DEBIAN_PATHS = {
  modulesDir: '/usr/lib/nginx/modules',
  mimeTypes: '/etc/nginx/mime.types',
  crsRules: '/usr/share/modsecurity-crs/rules',
} as const;

function variables(values: NginxValues): Record<string, string> {
  return {
    THREADLINE_NGINX_PREFIX: values.prefix,
    THREADLINE_NGINX_CONF_DIR: values.confDir,
    THREADLINE_NGINX_MODULES: values.modulesDir,
    THREADLINE_NGINX_MIME_TYPES: values.mimeTypes,
    THREADLINE_CRS_RULES: values.crsRules,
    THREADLINE_LISTEN_ADDRESS: values.listenAddress,
    THREADLINE_HTTP_PORT: String(values.httpPort),
    THREADLINE_HTTPS_PORT: String(values.httpsPort),
    THREADLINE_HTTPS_PORT_SUFFIX: values.httpsPort === 443 ? '' : `:${values.httpsPort}`,
    THREADLINE_SERVER_NAME: values.serverName,
    THREADLINE_TLS_CERT: values.tlsCert,
    THREADLINE_TLS_KEY: values.tlsKey,
    THREADLINE_WEB_UPSTREAM: values.webUpstream,
    THREADLINE_API_UPSTREAM: values.apiUpstream,
    THREADLINE_ASSETS_ROOT: values.assetsRoot,
    THREADLINE_CRS_PARANOIA: String(values.paranoia),
    THREADLINE_MODSECURITY: values.isModSecurityOn === false ? 'off' : 'on',
    THREADLINE_WAF_RECORD_PORT: String(checkedRecordPort(values.wafRecordPort)),
    THREADLINE_HSTS_MAX_AGE: String(values.hstsMaxAge),
    THREADLINE_NGINX_API_RATE: checkedRate('apiRate', values.apiRate),
    THREADLINE_NGINX_API_BURST: String(checkedBurst('apiBurst', values.apiBurst ?? 100)),
    THREADLINE_NGINX_LOGIN_RATE: checkedRate('loginRate', values.loginRate ?? '30r/m'),
    THREADLINE_NGINX_LOGIN_BURST: String(checkedBurst('loginBurst', values.loginBurst ?? 10)),
  };
}

function checkedRecordPort(port: number | undefined): number {
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`wafRecordPort: expected a free loopback port 1-65535 for the WAF-record server, got ${String(port)}`);
  }
  return port;
}

/** An nginx rate such as `20r/s` or `30r/m`: anything else would stop nginx from starting. */
function checkedRate(name: string, rate: string): string {
  if (!/^[1-9]\d{0,6}r\/[sm]$/.test(rate)) throw new Error(`${name}: expected a rate like 20r/s or 30r/m, got "${rate}"`);
  return rate;
}

function checkedBurst(name: string, burst: number): number {
  if (!Number.isSafeInteger(burst) || burst < 0) throw new Error(`${name}: expected a whole number ≥ 0, got ${burst}`);
  return burst;
}

/**
 * Substitutes `${THREADLINE_…}` placeholders (envsubst syntax; nginx's own `$variables` are left
 * alone). An unknown placeholder is an error, so a template and its values cannot drift apart.
 */
export function renderTemplate(text: string, vars: Record<string, string>, where = 'template'): string {
  return text.replace(/\$\{(THREADLINE_[A-Z0-9_]+)\}/g, (_match, name: string) => {
    const value = vars[name];
    if (value === undefined) throw new Error(`${where}: no value for \${${name}}`);
    return value;
  });
}

/**
 * Renders deploy/nginx into `values.confDir`: `*.template` files are rendered (suffix dropped),
 * other files are copied. Returns the path of the main nginx.conf.
 */
export function renderNginxConfig(values: NginxValues, sourceDir: string = NGINX_DEPLOY_DIR): string {
  const vars = variables(values);
  const walk = (relative: string): void => {
    const from = path.join(sourceDir, relative);
    for (const entry of readdirSync(from)) {
      const source = path.join(from, entry);
      const rel = path.join(relative, entry);
      if (statSync(source).isDirectory()) {
        walk(rel);
        continue;
      }
      if (!entry.endsWith('.conf') && !entry.endsWith('.template')) continue;
      const target = path.join(values.confDir, rel.replace(/\.template$/, ''));
      mkdirSync(path.dirname(target), { recursive: true });
      if (entry.endsWith('.template')) writeFileSync(target, renderTemplate(readFileSync(source, 'utf8'), vars, rel));
      else copyFileSync(source, target);
    }
  };
  walk('.');
  mkdirSync(path.join(values.confDir, 'modsecurity'), { recursive: true });
  writeFileSync(path.join(values.confDir, 'modsecurity', 'threadline-rules.conf'), generateModSecurityRules());
  for (const dir of ['logs', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi', 'tmp/modsec']) {
    mkdirSync(path.join(values.prefix, dir), { recursive: true });
  }
  return path.join(values.confDir, 'nginx.conf');
}

/** Whether this machine has nginx with the ModSecurity module and the CRS (CI installs them). */
export function hasNginxWithModSecurity(): boolean {
  const probe = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  return probe.status === 0 && existsSync(path.join(DEBIAN_PATHS.modulesDir, 'ngx_http_modsecurity_module.so')) && existsSync(DEBIAN_PATHS.crsRules);
}

function waitForPort(port: number, host: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = net.connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${host}:${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

export interface RunningNginx {
  process: ChildProcess;
  confPath: string;
  /** Stops this nginx (SIGQUIT: graceful) and waits for it to exit. */
  stop(): Promise<void>;
  /** The ModSecurity audit log so far (one JSON entry per refused request, `unique_id` = the reference). */
  auditLog(): string;
  /** Ids of the rules in the audit entry of the refused request with this reference. */
  ruleIdsOf(reference: string): string[];
}

/**
 * Renders the config, checks it with `nginx -t`, and runs nginx in the foreground (not as a
 * daemon) so the caller owns the process. For tests and benchmarks on loopback ports.
 */
export async function startNginx(options: NginxValues): Promise<RunningNginx> {
  const values = { ...options, wafRecordPort: options.wafRecordPort ?? (await freeLoopbackPort()) };
  const confPath = renderNginxConfig(values);
  const check = spawnSync('nginx', ['-t', '-q', '-p', values.prefix, '-c', confPath], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t failed for ${confPath}:\n${check.stderr}`);
  const child = spawn('nginx', ['-p', values.prefix, '-c', confPath, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitForPort(values.httpsPort, values.listenAddress, 20_000),
      exited.then(() => {
        throw new Error(`nginx exited at start: ${stderr}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    process: child,
    confPath,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
    auditLog() {
      const file = path.join(values.prefix, 'logs', 'modsec_audit.log');
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    },
    ruleIdsOf(reference) {
      const file = path.join(values.prefix, 'logs', 'modsec_audit.log');
      if (!existsSync(file)) return [];
      const ids = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.includes(`"unique_id":"${reference}"`))
        .flatMap((line) => [...line.matchAll(/"ruleId":"(\d+)"/g)].map((match) => match[1] ?? ''));
      return [...new Set(ids)];
    },
  };
}
