import { VARIABLES } from './variables.js';

export interface ConfigLine {
  name: string;
  section: string;
  /** What this process would use: the environment's value, else the default; secrets masked. */
  value: string;
  source: 'environment' | 'default' | 'unset';
  default: string;
  doc: string;
}

/**
 * Every variable with the value a process started with `env` would use (`threadline config`).
 * Secrets show only whether they are set.
 */
export function describeConfig(env: Record<string, string | undefined>): ConfigLine[] {
  return VARIABLES.map((spec) => {
    const given = env[spec.name];
    const isGiven = given !== undefined && given !== '';
    const shown = isGiven ? given : spec.default;
    const value = spec.kind === 'secret' ? (isGiven ? '(set)' : '(generated or unset)') : (shown ?? '');
    return { name: spec.name, section: spec.section, value, source: isGiven ? 'environment' : spec.default === undefined ? 'unset' : 'default', default: spec.default ?? '', doc: spec.doc };
  });
}

/** The README's configuration table (Markdown), generated from VARIABLES. */
export function configTable(): string {
  const escape = (text: string): string => text.replaceAll('|', '\\|');
  const lines = ['| variable | section | default | meaning |', '|---|---|---|---|'];
  for (const spec of VARIABLES) {
    lines.push(`| \`${spec.name}\` | ${spec.section} | ${spec.default === undefined ? 'unset' : `\`${escape(spec.default)}\``} | ${escape(spec.doc)} |`);
  }
  return lines.join('\n');
}
