/**
 * The three Threadline processes as they run on ECS. Ports match the defaults of
 * `packages/config` (web 8080, API 8081, worker 8082) and the images' HEALTHCHECK.
 */
export const TIERS = {
  web: { port: 8080, portEnv: 'PORT', cpu: 512, memoryMiB: 1024, command: 'web' },
  api: { port: 8081, portEnv: 'THREADLINE_API_PORT', cpu: 1024, memoryMiB: 2048, command: 'api' },
  worker: { port: 8082, portEnv: 'THREADLINE_WORKER_PORT', cpu: 512, memoryMiB: 2048, command: 'worker' },
} as const;

export type TierName = keyof typeof TIERS;
export const TIER_NAMES = Object.keys(TIERS) as TierName[]; // keys of a literal object are its TierName keys

/** ECR repository name of a tier's image; buildspec.yml and the workflow push to the same names. */
export function repositoryName(tier: TierName): string {
  return `threadline/${tier}`;
}
