import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { text } from 'node:stream/consumers';

/** Asks once on a terminal without echoing what is typed. */
async function askHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  // readline echoes into its output stream: give it one that drops everything
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input: process.stdin, output: silent, terminal: true });
  try {
    return await reader.question('');
  } finally {
    reader.close();
    process.stderr.write('\n');
  }
}

/**
 * A password for a command: the first line of standard input (scripts, secrets managers), or a
 * prompt typed twice on a terminal. Never an argument, which would land in shell history and `ps`.
 */
export async function readPassword(options: { fromStdin: boolean; prompt: string }): Promise<string> {
  if (options.fromStdin) {
    const input = await text(process.stdin);
    const firstLine = input.split(/\r?\n/)[0] ?? '';
    if (firstLine === '') throw new Error('no password on standard input (one line expected)');
    return firstLine;
  }
  const first = await askHidden(options.prompt);
  const second = await askHidden('Repeat it: ');
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}
