/** Stable codes of operations failures: CLI exit messages, API errors and Slack notices use them. */
export const OPS_ERROR = {
  BACKUP_TOOL_MISSING: { statusCode: 503, message: 'pgbackrest is not installed' },
  BACKUP_NOT_CONFIGURED: { statusCode: 400, message: 'backups are not configured for this database' },
  BACKUP_COMMAND_FAILED: { statusCode: 500, message: 'a pgbackrest command failed' },
  BACKUP_VERIFY_FAILED: { statusCode: 500, message: 'the backup repository failed verification' },
  NO_BACKUP: { statusCode: 404, message: 'no backup exists yet' },
  RESTORE_TARGET_INVALID: { statusCode: 400, message: 'the restore target is not usable' },
  RESTORE_FAILED: { statusCode: 500, message: 'the restore did not complete' },
  CLUSTER_RUNNING: { statusCode: 409, message: 'the live database is running' },
  DRILL_CHECK_FAILED: { statusCode: 500, message: 'the restored copy does not match the live database' },
} as const;

export type OpsErrorCode = keyof typeof OPS_ERROR;

/** A typed operations failure; `detail` carries the tool output an operator needs to act. */
export class OpsError extends Error {
  readonly statusCode: number;
  constructor(
    readonly code: OpsErrorCode,
    message?: string,
    readonly detail?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? OPS_ERROR[code].message, options);
    this.name = 'OpsError';
    this.statusCode = OPS_ERROR[code].statusCode;
  }
}

export function isOpsError(value: unknown): value is OpsError {
  return value instanceof OpsError;
}
