/**
 * Lets `threadline survey import s3://bucket/key.xlsx` run in a container: the survey-upload Lambda
 * starts the worker task with an S3 URL, and the importer takes a local file. The entrypoint
 * downloads the object into /tmp (a tmpfs under the read-only root) and passes that path on.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Commands whose file argument may be an S3 URL. */
const COMMANDS_TAKING_FILES = [['survey', 'import']];

/**
 * Splits `s3://bucket/key` (key URL-decoded), or returns undefined for anything else.
 * @param {string} value
 * @returns {{ bucket: string, key: string } | undefined}
 */
export function parseS3Url(value) {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(value);
  if (!match || !match[1] || !match[2]) return undefined;
  return { bucket: match[1], key: decodeURIComponent(match[2]) };
}

/**
 * Returns argv with each S3 URL argument of a file-taking command replaced by the local file the
 * downloader wrote. Other commands and arguments pass unchanged.
 * @param {string[]} args the command line after the entrypoint, e.g. ['survey', 'import', 's3://b/k.xlsx']
 * @param {(object: { bucket: string, key: string }, file: string) => Promise<void>} download
 * @param {string} [directory] where to put the files (default: a new folder under the temp dir)
 * @returns {Promise<string[]>}
 */
export async function localizeS3Arguments(args, download, directory) {
  const isFileCommand = COMMANDS_TAKING_FILES.some((command) => command.every((word, index) => args[index] === word));
  if (!isFileCommand) return args;
  const result = [];
  for (const arg of args) {
    const object = parseS3Url(arg);
    if (!object) {
      result.push(arg);
      continue;
    }
    const folder = directory ?? (await mkdtemp(path.join(tmpdir(), 'threadline-s3-')));
    const file = path.join(folder, path.basename(object.key));
    await download(object, file);
    result.push(file);
  }
  return result;
}

/**
 * Downloads an object with the AWS SDK the lake package already depends on (credentials from
 * the task role).
 * @param {{ bucket: string, key: string }} object
 * @param {string} file
 */
export async function downloadWithSdk(object, file) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const require = createRequire(path.join(root, 'packages', 'lake', 'package.json'));
  const sdk = await import(pathToFileURL(require.resolve('@aws-sdk/client-s3')).href);
  const client = new sdk.S3Client({});
  const response = await client.send(new sdk.GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
  if (!(response.Body instanceof Readable)) throw new Error(`s3://${object.bucket}/${object.key}: empty or unreadable body`);
  await pipeline(response.Body, createWriteStream(file, { mode: 0o600 }));
}
