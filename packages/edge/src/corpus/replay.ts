import http from 'node:http';
import https from 'node:https';

import { CORPUS_ROLE_HEADER, summariseRates, type CorpusRates, type CorpusRequest } from './corpus.js';

export interface ReplayTarget {
  host: string;
  port: number;
  isTls?: boolean;
  /** Host header to send (nginx picks its server block by it). */
  hostHeader?: string;
  /** CA certificate to trust (self-signed test certificates). */
  ca?: Buffer;
}

export interface ReplayResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends one corpus request byte-for-byte (the path is not normalised the way `fetch` and `URL`
 * would collapse `../`), so each layer sees what an attack tool sends.
 */
export function sendRaw(target: ReplayTarget, request: CorpusRequest): Promise<ReplayResponse> {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = {
    ...request.headers,
    host: target.hostHeader ?? `${target.host}:${target.port}`,
    ...(request.role ? { [CORPUS_ROLE_HEADER]: request.role } : {}),
  };
  if (body) headers['content-length'] = String(body.length);
  const options: https.RequestOptions = {
    host: target.host,
    port: target.port,
    method: request.method,
    path: request.url,
    headers,
    agent: false,
    ...(target.ca ? { ca: target.ca } : {}),
  };
  return new Promise((resolve, reject) => {
    const client = target.isTls ? https.request(options) : http.request(options);
    client.setTimeout(15_000, () => client.destroy(new Error(`timeout on ${request.id}`)));
    client.on('error', reject);
    client.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    client.end(body);
  });
}

/**
 * Replays a corpus against a running layer and reports the share blocked. `isBlocked` decides
 * from the response (e.g. "did not reach the upstream" or "403 WAF_BLOCKED").
 */
export async function replayCorpus(
  target: ReplayTarget,
  requests: readonly CorpusRequest[],
  isBlocked: (response: ReplayResponse) => boolean,
  concurrency = 8,
): Promise<CorpusRates> {
  const decisions = new Map<string, boolean>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const request = requests[next];
      next += 1;
      if (!request) continue;
      const response = await sendRaw(target, request).catch((error: unknown) => {
        // a connection reset by the server (e.g. a request line the parser refuses) never reached the app
        if (error instanceof Error && 'code' in error && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) {
          return { status: 0, headers: {}, body: '' } satisfies ReplayResponse;
        }
        throw error;
      });
      decisions.set(request.id, response.status === 0 || isBlocked(response));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summariseRates(requests, decisions);
}

/** One line per rate, for test output and docs. */
export function formatRates(layer: string, kind: 'attack' | 'legit', rates: CorpusRates): string {
  const categories = Object.entries(rates.byCategory)
    .map(([category, bucket]) => `${category} ${bucket.blocked}/${bucket.total}`)
    .join(', ');
  const label = kind === 'attack' ? 'attacks blocked' : 'legitimate requests blocked';
  return `${layer}: ${label} ${rates.blocked}/${rates.total} = ${(rates.rate * 100).toFixed(2)} % (${categories})`;
}
