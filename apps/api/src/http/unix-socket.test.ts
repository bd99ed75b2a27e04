import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { listenOnUnixSocket } from './unix-socket.js';

/**
 * An HTTP server answering with the peer address it sees (as Fastify's rules would read it),
 * listening on a loopback port first as the API does (node tracks a server's connections, which
 * its close and closeIdleConnections act on, from when it listens).
 */
async function peerServer(): Promise<http.Server> {
  const server = http.createServer((request, response) => response.end(JSON.stringify({ peer: request.socket.remoteAddress ?? null })));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function getOverSocket(socketPath: string, agent?: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path: '/readyz', ...(agent ? { agent } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
  });
}

describe('the API on a Unix socket besides its port', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-api-uds-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('answers on the socket, owner-only in an owner-only directory, with the peer seen as loopback; close removes the file', async () => {
    const socketPath = path.join(dir, 'run', 'api-1.sock');
    const server = await peerServer();
    const listener = await listenOnUnixSocket(server, socketPath);
    try {
      assert.equal(lstatSync(socketPath).isSocket(), true);
      assert.equal(statSync(socketPath).mode & 0o777, 0o600);
      assert.equal(statSync(path.dirname(socketPath)).mode & 0o777, 0o700);
      const answer = await getOverSocket(socketPath);
      assert.equal(answer.status, 200);
      assert.deepEqual(JSON.parse(answer.body), { peer: '127.0.0.1' });
    } finally {
      // as the API's shutdown: the server closes its connections (socket ones too), the listener stops
      await Promise.all([new Promise((resolve) => server.close(resolve)), listener.close()]);
    }
    assert.equal(existsSync(socketPath), false, 'the socket file is removed on stop');
  });

  it('closing the server closes kept-alive socket connections, and the listener then stops', async () => {
    const socketPath = path.join(dir, 'keep-alive.sock');
    const server = await peerServer();
    const listener = await listenOnUnixSocket(server, socketPath);
    const agent = new http.Agent({ keepAlive: true });
    try {
      assert.equal((await getOverSocket(socketPath, agent)).status, 200);
      // as Fastify's close does (forceCloseConnections: 'idle'): the idle kept-alive connection is the server's to close
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.race([
        Promise.all([closed, listener.close()]),
        new Promise((_resolve, reject) => setTimeout(() => reject(new Error('a socket connection kept the server open')), 5_000)),
      ]);
    } finally {
      agent.destroy();
    }
  });

  it('removes a socket left by a process that died, and starts', async () => {
    const socketPath = path.join(dir, 'stale.sock');
    // a process killed while listening (SIGKILL: no chance to remove its socket file)
    const child = spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(socketPath)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    assert.equal(child.signal, 'SIGKILL');
    assert.equal(lstatSync(socketPath).isSocket(), true, 'the stale socket file is there');
    const server = await peerServer();
    const listener = await listenOnUnixSocket(server, socketPath);
    try {
      assert.equal((await getOverSocket(socketPath)).status, 200);
    } finally {
      // as the API's shutdown: the server closes its connections (socket ones too), the listener stops
      await Promise.all([new Promise((resolve) => server.close(resolve)), listener.close()]);
    }
  });

  it('refuses a socket another process answers on, and a file that is not a socket, naming the variable', async () => {
    const refused = await peerServer();
    const livePath = path.join(dir, 'live.sock');
    const live = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => live.listen(livePath, resolve));
    try {
      await assert.rejects(listenOnUnixSocket(refused, livePath), /THREADLINE_API_SOCKET: another process listens on/);
      assert.equal(lstatSync(livePath).isSocket(), true, 'the live socket is left alone');
    } finally {
      await new Promise<void>((resolve) => live.close(() => resolve()));
    }
    const filePath = path.join(dir, 'not-a-socket');
    writeFileSync(filePath, 'data');
    try {
      await assert.rejects(listenOnUnixSocket(refused, filePath), /THREADLINE_API_SOCKET: .* exists and is not a socket/);
    } finally {
      refused.close();
    }
    assert.equal(lstatSync(filePath).isFile(), true, 'the file is kept');
  });
});
