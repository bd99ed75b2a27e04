/**
 * Reads `--name value` pairs; names the option when a required one is missing.
 * @param {string[]} argv
 * @param {string[]} required
 * @returns {Record<string, string>}
 */
export function parseArgs(argv, required) {
  /** @type {Record<string, string>} */
  const options = {};
  for (let index = 0; index < argv.length; index += 1) {
    const name = argv[index] ?? '';
    if (!name.startsWith('--')) throw new Error(`unexpected argument "${name}"`);
    const value = argv[index + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
    options[name.slice(2)] = value;
    index += 1;
  }
  for (const name of required) if (!options[name]) throw new Error(`--${name} is required`);
  return options;
}
