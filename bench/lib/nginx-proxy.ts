/**
 * A reference point for the web tier's cost per forwarded request: a bare nginx (one worker, no
 * WAF, no TLS, no access log) that `proxy_pass`es everything to the API over pooled keep-alive
 * connections — what a C reverse proxy costs on the same host and layout. It is not the shop's
 * edge configuration (deploy/nginx), which adds TLS, ModSecurity and limits.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface NginxProxy {
  url: string;
  /** The nginx master; its worker is its child. */
  pid: number;
  stop: () => Promise<void>;
}

/** Whether an `nginx` binary answers `nginx -v`. */
export function hasNginx(): boolean {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Where nginx forwards to: the API's port on loopback, or its Unix socket (as the web tier does on one host). */
export type NginxUpstream = { port: number } | { socketPath: string };

/** The configuration: one worker, keep-alive both ways, upstream connections pooled (HTTP/1.1, no Connection header). */
export function nginxProxyConfig(options: { prefix: string; port: number; upstream: NginxUpstream }): string {
  const { prefix, port, upstream } = options;
  const server = 'socketPath' in upstream ? `unix:${upstream.socketPath}` : `127.0.0.1:${upstream.port}`;
  // the API's socket is owner-only: started by root, the worker must stay root to open it (nginx's default is nobody)
  const user = 'socketPath' in upstream && process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  keepalive_requests 1000000;
  upstream api { server ${server}; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
}

/** Starts nginx in the foreground on `port`, forwarding to `upstream`. */
export async function startNginxProxy(options: { port: number; upstream: NginxUpstream }): Promise<NginxProxy> {
  const prefix = mkdtempSync(path.join(tmpdir(), 'threadline-nginx-proxy-'));
  for (const dir of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(prefix, dir));
  const conf = path.join(prefix, 'nginx.conf');
  writeFileSync(conf, nginxProxyConfig({ prefix, ...options }));
  const child: ChildProcess = spawn('nginx', ['-p', prefix, '-c', conf, '-e', path.join(prefix, 'error.log'), '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode} (config ${conf})`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`nginx on ${url} not answering after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('nginx has no pid');
  return {
    url,
    pid,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGQUIT');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
