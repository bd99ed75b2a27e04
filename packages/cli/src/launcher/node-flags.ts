/**
 * V8's young generation (`--max-semi-space-size`, MB per semi-space) for the request tiers. Every
 * request allocates a few kB that die young, and Node's default semi-space (16 MB) filled every
 * ~90 ms at 7,000 forwarded requests/s: each scavenge stops the event loop for a few ms, so about
 * one request in 25 waited for one in each tier. 32 MB halves the number of scavenges and their
 * share of the CPU, for about 30–50 MB more RSS per process (measured on the shop bench; see
 * docs/benchmarks.md). The worker keeps the default: its RSS has a bound of its own (soak bench).
 */
export const TIER_SEMI_SPACE_MB: Readonly<Record<string, number>> = { api: 32, web: 32 };

/**
 * The Node flags `threadline <command>` runs with as a tier: its semi-space size, unless the
 * operator set one in NODE_OPTIONS (which the launcher's children inherit, and which a flag on the
 * command line would override).
 */
export function tierNodeFlags(command: string, nodeOptions: string | undefined = process.env.NODE_OPTIONS): string[] {
  const semiSpaceMb = TIER_SEMI_SPACE_MB[command];
  if (semiSpaceMb === undefined || /--max[-_]semi[-_]space[-_]size\b/.test(nodeOptions ?? '')) return [];
  return [`--max-semi-space-size=${semiSpaceMb}`];
}
