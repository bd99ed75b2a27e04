import { rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** Unix socket of a running launcher, for `threadline restart api` and the failover drill. */
export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, 'run', 'launcher.sock');
}

export interface ControlRequest {
  command: 'restart' | 'status';
  target?: string;
}

/** One line of progress; the last one has `done: true` and `ok`. */
export interface ControlReply {
  line: string;
  done?: boolean;
  ok?: boolean;
}

type Handler = (request: ControlRequest, send: (reply: ControlReply) => void) => Promise<void>;

function parseRequest(line: string): ControlRequest | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const command: unknown = Reflect.get(parsed, 'command');
    const target: unknown = Reflect.get(parsed, 'target');
    if (command !== 'restart' && command !== 'status') return undefined;
    return { command, ...(typeof target === 'string' ? { target } : {}) };
  } catch {
    return undefined;
  }
}

/** Serves control requests on the data directory's socket (owner-only: mode 0600). */
export async function serveControl(dataDir: string, handle: Handler): Promise<Server> {
  const socket = controlSocketPath(dataDir);
  rmSync(socket, { force: true });
  const server = createServer((connection) => {
    const lines = createInterface({ input: connection });
    lines.once('line', (line) => {
      const send = (reply: ControlReply): void => void connection.write(`${JSON.stringify(reply)}\n`);
      const request = parseRequest(line);
      if (!request) {
        send({ line: 'unknown request', done: true, ok: false });
        connection.end();
        return;
      }
      handle(request, send)
        .catch((error: unknown) => send({ line: error instanceof Error ? error.message : String(error), done: true, ok: false }))
        .finally(() => connection.end());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: socket, readableAll: false, writableAll: false }, resolve);
  });
  return server;
}

/** Sends one request to the launcher of `dataDir`, calling `onLine` per progress line; resolves with `ok`. */
export async function sendControl(dataDir: string, request: ControlRequest, onLine: (line: string) => void): Promise<boolean> {
  const socket = controlSocketPath(dataDir);
  return new Promise((resolve, reject) => {
    const connection = createConnection({ path: socket });
    let ok = false;
    connection.once('error', (error) =>
      reject(new Error(`no running launcher on ${dataDir} (start the shop with npm start first): ${error.message}`, { cause: error })),
    );
    connection.once('connect', () => connection.write(`${JSON.stringify(request)}\n`));
    createInterface({ input: connection }).on('line', (line) => {
      try {
        const reply: unknown = JSON.parse(line);
        if (typeof reply !== 'object' || reply === null) return;
        const text: unknown = Reflect.get(reply, 'line');
        if (typeof text === 'string') onLine(text);
        if (Reflect.get(reply, 'done') === true) ok = Reflect.get(reply, 'ok') === true;
      } catch {
        onLine(line);
      }
    });
    connection.once('close', () => resolve(ok));
  });
}
