/**
 * A small HTTP client for fixture data: keeps the session cookie and CSRF token like a browser,
 * so fixtures go through the same API routes (and checks) a user's clicks do.
 */
export class ApiClient {
  private cookie = '';
  private csrf: string | undefined;

  constructor(private readonly baseUrl: string) {}

  private remember(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const pair = header.split(';')[0];
      if (pair?.startsWith('tl_session=')) this.cookie = pair;
    }
  }

  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    if (method !== 'GET' && !this.csrf) {
      const token = await this.request<{ token: string }>('GET', '/api/auth/csrf');
      this.csrf = token.token;
    }
    const isForm = body instanceof FormData;
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        accept: 'application/json',
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(method !== 'GET' && this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...(body !== undefined && !isForm ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
    });
    this.remember(response);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    // fixture calls go to routes whose response schema the API declares; tests read the fields they need
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
