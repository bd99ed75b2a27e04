import type { WafRouteExclusion } from '@threadline/edge';

// the session (request.session) is declared by the session plugin
import type {} from '../auth/session.js';

/**
 * The admin SQL console's body is SQL by design: the SQL-injection rules must not score its `sql`
 * field — for a signed-in admin, on the two console routes, and nothing else (issue 13, finding
 * 10). The route still refuses non-admins, writes, file access and extensions itself; the WAF's
 * other rule families (XSS, path traversal, command injection…) still score the field, and every
 * other field and route keeps all rules. The same narrow exclusion is in deploy/nginx.
 */
export const QUERY_WAF_EXCLUSIONS: readonly WafRouteExclusion[] = ['/api/admin/query', '/api/admin/query/csv'].map((route) => ({
  id: 'tl-1001-admin-sql-console',
  method: 'POST',
  route,
  field: 'sql',
  categories: ['sqli'],
  isAllowed: (request) => request.session?.user?.role === 'admin',
}));
