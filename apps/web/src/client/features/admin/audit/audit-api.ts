import { toQuery } from '../../../lib/api';
import { useApi, type ApiState } from '../../../lib/use-api';

/** One audit entry as GET /api/admin/audit returns it. */
export interface AuditEntry {
  id: number;
  at: string;
  action: string;
  actorId: number | null;
  actorName: string | null;
  actorType: 'user' | 'system';
  ip: string | null;
  target: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  items: AuditEntry[];
  nextBefore: number | null;
}

export interface AuditQuery {
  area: string;
  actorId: string;
  target: string;
  before?: number;
}

/** The audit log, newest first; `before` pages to older entries. */
export function useAuditLog(query: AuditQuery): ApiState<AuditPage> {
  return useApi(
    `/api/admin/audit${toQuery({
      area: query.area,
      actorId: query.actorId,
      target: query.target,
      before: query.before === undefined ? '' : String(query.before),
      limit: 100,
    })}`,
  );
}
