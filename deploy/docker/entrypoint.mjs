// Image entrypoint: `node deploy/docker/entrypoint.mjs api|web|worker|<any threadline command>`.
// Fills DATABASE_URL from PG* variables when the platform injects those (ECS + Secrets Manager),
// then runs the `threadline` command in this same process.
import { databaseUrlFromPgEnv } from './database-url.mjs';

try {
  const url = databaseUrlFromPgEnv(process.env);
  if (url) process.env.DATABASE_URL = url;
} catch (error) {
  console.error(`entrypoint: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
// commander reads process.argv from index 2: [node, entrypoint, <command>, ...args].
await import('../../packages/cli/bin/threadline.mjs');
