/** The shape of the analytics cookies' visitor and session ids (opaque, URL-safe). */
const OPAQUE_ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * The visitor and session ids a tier records for events it states itself (access logs, order_paid),
 * read from the analytics cookies `tl_vid` / `tl_sid`; a missing or malformed id is 'anonymous'.
 */
export function analyticsIds(cookies: Record<string, string | undefined>): { visitorId: string; sessionId: string } {
  const visitor = cookies.tl_vid;
  const session = cookies.tl_sid;
  return {
    visitorId: visitor && OPAQUE_ID.test(visitor) ? visitor : 'anonymous',
    sessionId: session && OPAQUE_ID.test(session) ? session : 'anonymous',
  };
}
