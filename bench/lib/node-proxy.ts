/**
 * A second reference point for the web tier's cost per forwarded request, beside the bare nginx
 * (nginx-proxy.ts): the lightest reverse proxy Node makes — `node:http`'s server and an undici
 * pool of keep-alive connections to the API, every request passed through with one `dispatch` and
 * its answer streamed back, no routing, WAF, security headers, cache, compression, metrics or log.
 * It runs in its own process with the web tier's Node flags (tierNodeFlags) and its loader (tsx),
 * so its CPU per request is the floor any Node web tier starts from on the same host and layout.
 * It is not a product component: nothing but the shop bench starts it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

import { Pool, type Dispatcher } from 'undici';

import { tierNodeFlags } from '../../packages/cli/src/launcher/node-flags.js';

import type { NginxUpstream } from './nginx-proxy.js';

export interface NodeProxy {
  url: string;
  pid: number;
  stop: () => Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and Host (undici sets its own): not passed on in either direction. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

/** One forwarded exchange: the answer's head and body written to the client as undici hands them over. */
class PassThrough implements Dispatcher.DispatchHandler {
  private resume: () => void = () => {};

  constructor(
    private readonly response: ServerResponse,
    private readonly request: IncomingMessage,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    this.resume = resume;
    const headers: string[] = [];
    for (let index = 0; index < rawHeaders.length; index += 2) {
      const name = (rawHeaders[index] as Buffer).toString('latin1');
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, (rawHeaders[index + 1] as Buffer).toString('latin1'));
    }
    this.response.writeHead(statusCode, headers);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.response.write(chunk)) return true;
    this.response.once('drain', this.resume); // the client is slower: undici pauses until it drains
    return false;
  }

  onComplete(): void {
    this.response.end();
  }

  onError(): void {
    if (!this.response.headersSent) {
      this.response.writeHead(502, { 'content-type': 'text/plain' });
      this.response.end('bad gateway');
    } else this.request.socket.destroy();
  }
}

/** Serves on 127.0.0.1:`port`, forwarding every request to `upstream`. */
function serve(port: number, upstream: NginxUpstream): void {
  const pool =
    'socketPath' in upstream
      ? new Pool('http://localhost', { socketPath: upstream.socketPath, connections: 64, keepAliveTimeout: 30_000 })
      : new Pool(`http://127.0.0.1:${upstream.port}`, { connections: 64, keepAliveTimeout: 30_000 });
  const server = createServer((request, response) => {
    const headers: string[] = [];
    const raw = request.rawHeaders;
    for (let index = 0; index < raw.length; index += 2) {
      const name = raw[index] as string;
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, raw[index + 1] as string);
    }
    headers.push('x-forwarded-for', request.socket.remoteAddress ?? '');
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    pool.dispatch({ method: request.method as Dispatcher.HttpMethod, path: request.url ?? '/', headers, body: hasBody ? request : null }, new PassThrough(response, request));
  });
  server.keepAliveTimeout = 30_000;
  server.listen(port, '127.0.0.1', () => console.log(`node proxy on 127.0.0.1:${port}`));
  process.once('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void pool.close().then(() => process.exit(0));
  });
}

/** Starts the forwarder in a process of its own on `port`. */
export async function startNodeProxy(options: { port: number; upstream: NginxUpstream }): Promise<NodeProxy> {
  const target = 'socketPath' in options.upstream ? `unix:${options.upstream.socketPath}` : String(options.upstream.port);
  const child: ChildProcess = spawn(process.execPath, [...tierNodeFlags('web'), '--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url), String(options.port), target], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // ready when it says it listens (its own requests are all forwarded, so it has no health route)
  const listening = new Promise<void>((resolve, reject) => {
    let said = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (said.includes('node proxy on')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the node proxy exited with ${code}`)));
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([listening, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the node proxy is not listening after 30 s')), 30_000)))]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('the node proxy has no pid');
  return {
    url: `http://127.0.0.1:${options.port}`,
    pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

// run as the forwarder process: `<port> <unix:/path | upstream port>`
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [port, target] = process.argv.slice(2);
  if (port === undefined || target === undefined) throw new Error('usage: node-proxy.ts <port> <unix:/socket/path | upstream port>');
  serve(Number(port), target.startsWith('unix:') ? { socketPath: target.slice('unix:'.length) } : { port: Number(target) });
}
