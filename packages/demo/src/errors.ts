/** Why a demo seed was refused; stable codes the CLI prints and tests assert on. */
export const DEMO_ERROR = {
  /** An option is out of range (names the option). */
  INVALID_OPTION: 'INVALID_OPTION',
  /** The shop already holds products or orders and neither --if-empty nor --reset was given. */
  SHOP_NOT_EMPTY: 'SHOP_NOT_EMPTY',
  /** Rows appeared in the shop tables while the seed was being generated. */
  SHOP_CHANGED: 'SHOP_CHANGED',
} as const;

export type DemoErrorCode = (typeof DEMO_ERROR)[keyof typeof DEMO_ERROR];

export class DemoSeedError extends Error {
  constructor(
    readonly code: DemoErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DemoSeedError';
  }
}

export function isDemoSeedError(error: unknown): error is DemoSeedError {
  return error instanceof DemoSeedError;
}
