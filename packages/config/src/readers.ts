import { ConfigError } from './errors.js';
import { variable, type VariableSpec } from './variables.js';

export type Env = Record<string, string | undefined>;

/** Typed readers over one environment; each takes its default and bounds from the variable table. */
export function readers(env: Env) {
  const raw = (name: string): { spec: VariableSpec; value: string | undefined } => {
    const spec = variable(name);
    const given = env[name];
    return { spec, value: given === undefined || given === '' ? spec.default : given };
  };
  const number = (name: string, isInteger: boolean): number | undefined => {
    const { spec, value } = raw(name);
    if (value === undefined) return undefined;
    const parsed = Number(value.trim());
    const min = spec.min ?? -Infinity;
    const max = spec.max ?? Infinity;
    if (!Number.isFinite(parsed) || (isInteger && !Number.isSafeInteger(parsed)) || parsed < min || parsed > max) {
      const range = spec.min !== undefined || spec.max !== undefined ? ` ${spec.min ?? ''}–${spec.max ?? ''}` : '';
      throw new ConfigError(name, `expected ${isInteger ? 'a whole number' : 'a number'}${range}, got "${value}"`);
    }
    return parsed;
  };
  const required = <T>(name: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`${name} has no default in VARIABLES`);
    return value;
  };
  return {
    string: (name: string): string | undefined => raw(name).value,
    text: (name: string): string => required(name, raw(name).value),
    integer: (name: string): number => required(name, number(name, true)),
    /** A whole number, or undefined when the variable is unset and has no default (the caller derives one). */
    optionalInteger: (name: string): number | undefined => number(name, true),
    number: (name: string): number => required(name, number(name, false)),
    /** The port given in the environment; the caller falls back (recorded ports, PORT+1, the table's default). */
    optionalPort: (name: string): number | undefined => {
      variable(name);
      const value = env[name] === '' ? undefined : env[name];
      if (value === undefined) return undefined;
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(name, `expected a port number 0-65535, got "${value}"`);
      return port;
    },
    boolean: (name: string): boolean => {
      const { value } = raw(name);
      if (value === undefined || ['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
      if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
      throw new ConfigError(name, `expected 1 or 0, got "${value}"`);
    },
    choice: <T extends string>(name: string): T | undefined => {
      const { spec, value } = raw(name);
      if (value === undefined) return undefined;
      const values = spec.values ?? [];
      const found = values.find((candidate) => candidate === value.trim().toLowerCase());
      if (found === undefined) throw new ConfigError(name, `expected one of ${values.join(', ')}, got "${value}"`);
      // found is one of spec.values, which the caller's T lists
      return found as T;
    },
    urlList: (name: string): string[] | undefined => {
      const { value } = raw(name);
      if (value === undefined || value.trim() === '') return undefined;
      return value.split(',').map((part) => {
        const url = part.trim();
        try {
          new URL(url);
        } catch {
          throw new ConfigError(name, `expected comma-separated absolute URLs, got "${url}"`);
        }
        return url;
      });
    },
    url: (name: string): string | undefined => {
      const { value } = raw(name);
      if (value === undefined) return undefined;
      try {
        new URL(value);
      } catch {
        throw new ConfigError(name, 'expected an absolute URL');
      }
      return value;
    },
    timeZone: (name: string): string => {
      const zone = required(name, raw(name).value);
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: zone });
      } catch {
        throw new ConfigError(name, `unknown IANA time zone "${zone}"`);
      }
      return zone;
    },
  };
}


export type Readers = ReturnType<typeof readers>;
