import { Link } from 'react-router';

import { useSession } from '../../../app/session';
import type { DataHealth } from '../../admin/pipeline/pipeline-api';

/**
 * Why a dashboard's data is missing or stale ("the last run failed at quality: …"), with the way
 * to the Data pipeline page for admins. Nothing when the data is current.
 */
export function PipelineNotice({ health }: { health: DataHealth | undefined }) {
  const { user } = useSession();
  if (!health?.message || health.state === 'ok') return null;
  return (
    <div className={`pipeline-notice pipeline-notice--${health.state}`} role="status" data-testid="pipeline-notice">
      <p>{health.message}</p>
      {user?.role === 'admin' ? (
        <Link to={health.lastRunId ? `/admin/pipeline?run=${health.lastRunId}` : '/admin/pipeline'}>Open the Data pipeline page</Link>
      ) : (
        <p className="muted">An administrator can see the details on the Data pipeline page.</p>
      )}
    </div>
  );
}
