import { Readable } from 'node:stream';

import { util, type Dispatcher } from 'undici';

/** An API replica's answer as the web tier passes it on. */
export interface UpstreamAnswer {
  statusCode: number;
  /** The answer's headers, names lower-cased, without those `isDropped` names (hop-by-hop). */
  headers: Record<string, string | string[]>;
  /**
   * The whole body when its length is known and at most `bufferLimit` (never for HEAD): it is then
   * read completely before the promise settles, so a replica failing mid-body can still be retried.
   * Otherwise a stream of it, handed over as soon as the head has arrived.
   */
  body: Buffer | Readable;
}

export interface UpstreamCall {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string | string[]>;
  body: Buffer | Readable | null;
  headersTimeout: number;
  bodyTimeout: number;
  /** Answers of a known length up to this many bytes are read whole (see UpstreamAnswer.body). */
  bufferLimit: number;
  /** Answer headers not passed on (lower-case names). */
  isDropped: (name: string) => boolean;
}

/** A streamed answer body: backpressure pauses the upstream socket; destroying it aborts the request. */
export class UpstreamBody extends Readable {
  isComplete = false;

  constructor(
    private readonly resumeUpstream: () => void,
    private readonly abortUpstream: (error: Error) => void,
  ) {
    super();
  }

  override _read(): void {
    this.resumeUpstream();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.isComplete) this.abortUpstream(error ?? new Error('answer body abandoned'));
    callback(error);
  }
}

/** Lower-cased names → values (repeated names as arrays), without the dropped names. */
function answerHeaders(rawHeaders: Buffer[], isDropped: (name: string) => boolean): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (let at = 0; at + 1 < rawHeaders.length; at += 2) {
    const rawName = rawHeaders[at];
    const rawValue = rawHeaders[at + 1];
    if (rawName === undefined || rawValue === undefined) continue;
    const name = util.headerNameToString(rawName);
    // no HTTP header is called __proto__; assigning it would change the object's prototype
    if (isDropped(name) || name === '__proto__') continue;
    const value = rawValue.toString('latin1');
    const previous = headers[name];
    if (previous === undefined) headers[name] = value;
    else if (typeof previous === 'string') headers[name] = [previous, value];
    else previous.push(value);
  }
  return headers;
}

/**
 * Sends one request to a replica with undici's dispatch API (no response object, body stream or
 * header parsing beyond what is passed on) and settles with its answer — after the whole body
 * for modest answers of known length, after the head for the others (see UpstreamAnswer). Fails
 * with undici's error when the request could not be made or the answer broke off before it settled.
 */
export function callUpstream(dispatcher: Dispatcher, call: UpstreamCall): Promise<UpstreamAnswer> {
  return new Promise<UpstreamAnswer>((resolve, reject) => {
    let abort: ((error?: Error) => void) | undefined;
    let statusCode = 0;
    let headers: Record<string, string | string[]> = {};
    let chunks: Buffer[] | undefined;
    let size = 0;
    let stream: UpstreamBody | undefined;
    const handler: Dispatcher.DispatchHandler = {
      onConnect(abortRequest) {
        abort = abortRequest;
      },
      onHeaders(status, rawHeaders, resume) {
        // 1xx informational heads are not the answer; the final head follows
        if (status < 200) return true;
        statusCode = status;
        headers = answerHeaders(rawHeaders, call.isDropped);
        const length = Number(headers['content-length']);
        if (call.method !== 'HEAD' && Number.isInteger(length) && length >= 0 && length <= call.bufferLimit) {
          chunks = [];
          return true;
        }
        stream = new UpstreamBody(resume, (error) => abort?.(error));
        resolve({ statusCode, headers, body: stream });
        return true;
      },
      onData(chunk) {
        if (stream) return stream.push(chunk);
        size += chunk.length;
        chunks?.push(chunk);
        return true;
      },
      onComplete() {
        if (stream) {
          stream.isComplete = true;
          stream.push(null);
          return;
        }
        // a copy: the chunks are views of the socket's read buffers, which the cache must not pin
        resolve({ statusCode, headers, body: Buffer.concat(chunks ?? [], size) });
      },
      onError(error) {
        if (stream) stream.destroy(error);
        else reject(error);
      },
    };
    dispatcher.dispatch(
      { method: call.method, path: call.path, headers: call.headers, body: call.body, headersTimeout: call.headersTimeout, bodyTimeout: call.bodyTimeout },
      handler,
    );
  });
}
