import { Command, CommanderError } from 'commander';

import { COMMANDS } from './commands/index.js';

const program = new Command('threadline')
  .description('Threadline: the online clothing shop, its operations and its marketing data pipeline.')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

for (const register of COMMANDS) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  console.error(`threadline: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
