import type { Command } from 'commander';

import { configTable, describeConfig, loadConfig } from '@threadline/config';

import { parseFormat, printRows, withFormat } from '../output.js';

/**
 * `threadline config`: every variable Threadline reads, with the value this environment gives it
 * (or its default) and what it does — generated from the one table in packages/config. The values
 * are checked as a process would check them at start, so a typo shows here first.
 */
export function registerConfig(program: Command): void {
  const command = program.command('config').description('show every configuration variable: value in this environment, default, meaning');
  withFormat(command)
    .option('--section <name>', 'only one section (core, http, database, clickstream, pipeline, edge, backup, …)')
    .option('--markdown', "print the README's configuration table")
    .action((options: { format?: string; section?: string; markdown?: boolean }) => {
      if (options.markdown) {
        console.log(configTable());
        return;
      }
      const format = parseFormat(options.format);
      const lines = describeConfig(process.env).filter((line) => !options.section || line.section === options.section);
      if (lines.length === 0) throw new Error(`--section: no variables in section "${options.section}"`);
      printRows(lines.map(({ name, section, value, source, doc }) => ({ name, section, value, source, meaning: doc })), format, ['name', 'section', 'value', 'source', 'meaning']);
      // the same checks a process runs at start (ports, URLs, zones, bounds)
      loadConfig(process.env);
    });
}
