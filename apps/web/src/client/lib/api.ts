/**
 * The one HTTP client of the pages. It fetches the CSRF token once (GET /api/auth/csrf), sends it
 * in `x-csrf-token` on every mutating request, and turns the API's `{ error: { code, message,
 * field? } }` bodies into `ApiError`s that forms can show next to the field at fault.
 */

/** An error answered by the API (or a network failure, code NETWORK). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken: Promise<string> | undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

async function fetchCsrfToken(): Promise<string> {
  const response = await fetch('/api/auth/csrf', { credentials: 'same-origin', headers: { accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok || !isRecord(body) || typeof body.token !== 'string') {
    throw new ApiError(response.status, 'CSRF_UNAVAILABLE', 'Could not start a secure session. Reload the page and try again.');
  }
  return body.token;
}

function getCsrfToken(): Promise<string> {
  csrfToken ??= fetchCsrfToken().catch((error: unknown) => {
    csrfToken = undefined;
    throw error;
  });
  return csrfToken;
}

/** Forgets the token, e.g. after logout where the server starts a fresh session. */
export function resetCsrfToken(): void {
  csrfToken = undefined;
}

/** API messages are lower-case fragments ("email or password is wrong"); people read sentences. */
function asSentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capitalised = trimmed[0]?.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capitalised) ? capitalised : `${capitalised}.`;
}

function toApiError(status: number, body: unknown): ApiError {
  if (isRecord(body) && isRecord(body.error)) {
    const { code, message, field } = body.error;
    return new ApiError(
      status,
      typeof code === 'string' ? code : 'HTTP_ERROR',
      typeof message === 'string' ? asSentence(message) : `The server answered ${status}.`,
      typeof field === 'string' ? field : undefined,
    );
  }
  return new ApiError(status, 'HTTP_ERROR', `The server answered ${status}.`);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON-encoded unless it is FormData (multipart uploads). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

async function send(path: string, options: RequestOptions, token: string | undefined): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (token) headers['x-csrf-token'] = token;
  try {
    return await fetch(path, { method, headers, body, credentials: 'same-origin', signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK', 'The shop could not be reached. Check your connection and try again.');
  }
}

/**
 * Calls the API and returns the parsed JSON body (undefined for 204).
 *
 * @example
 * const page = await api<ProductPage>('/api/products?category=tops');
 * await api('/api/cart/items', { method: 'POST', body: { variantId: 3, quantity: 1 } });
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const isMutating = MUTATING.has(options.method ?? 'GET');
  let response = await send(path, options, isMutating ? await getCsrfToken() : undefined);
  // a session that expired server-side invalidates the token: fetch a fresh one and retry once
  if (isMutating && response.status === 403) {
    const body: unknown = await response.clone().json().catch(() => null);
    if (isRecord(body) && isRecord(body.error) && body.error.code === 'CSRF_INVALID') {
      resetCsrfToken();
      response = await send(path, options, await getCsrfToken());
    }
  }
  if (response.status === 204) return undefined as T; // callers of 204 routes ask for `void`
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status, body);
  // the API's route schemas (served at /api/openapi.json) fix the response shape for each path
  return body as T;
}

/** Builds a query string from defined, non-empty values. */
export function toQuery(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A message a person can act on, for any error thrown by `api()`. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Please try again.';
}
