// Image entrypoint: `node deploy/docker/entrypoint.mjs api|web|worker|<any threadline command>`.
// Fills DATABASE_URL from PG* variables when the platform injects those (ECS + Secrets Manager),
// downloads S3 file arguments (`survey import s3://…`, started by the survey-upload Lambda), then
// runs the `threadline` command in this same process.
import { databaseUrlFromPgEnv } from './database-url.mjs';
import { downloadWithSdk, localizeS3Arguments } from './s3-arguments.mjs';

try {
  const url = databaseUrlFromPgEnv(process.env);
  if (url) process.env.DATABASE_URL = url;
  const args = await localizeS3Arguments(process.argv.slice(2), downloadWithSdk);
  process.argv.splice(2, args.length, ...args);
} catch (error) {
  console.error(`entrypoint: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
// commander reads process.argv from index 2: [node, entrypoint, <command>, ...args].
await import('../../packages/cli/bin/threadline.mjs');
