import { Command, CommanderError } from 'commander';

import { loneCommand } from './commands/lone.js';

const program = new Command('threadline')
  .description('Threadline: the online clothing shop, its operations and its marketing data pipeline.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

// the processes `npm start` runs load their own command only: every other command's modules
// (pipeline, importers, DuckDB…) would cost each of them seconds of start-up
const lone = loneCommand(process.argv[2]);
if (lone) {
  (await lone())(program);
} else {
  const { COMMANDS } = await import('./commands/index.js');
  for (const register of COMMANDS) register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`threadline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
