import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Commands that load alone, without every other command's modules: `threadline start` and the
 * processes it runs (db, api, web, worker), whose start-up time the user waits for. Each entry
 * registers the same command as its line in COMMANDS (index.ts).
 */
const LONE_COMMANDS: Record<string, () => Promise<Register>> = {
  start: async () => (await import('./start.js')).registerStart,
  db: async () => (await import('./db.js')).registerDb,
  api: async () => (await import('./tiers.js')).registerTiers,
  web: async () => (await import('./tiers.js')).registerTiers,
  worker: async () => (await import('./tiers.js')).registerTiers,
};

/** The loader of `name` when it runs alone, else undefined (help, unknown names, every other command). */
export function loneCommand(name: string | undefined): (() => Promise<Register>) | undefined {
  return name !== undefined && Object.hasOwn(LONE_COMMANDS, name) ? LONE_COMMANDS[name] : undefined;
}
