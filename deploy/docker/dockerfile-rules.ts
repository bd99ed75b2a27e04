/**
 * A small Dockerfile linter for the rules this project holds its images to (hadolint is not
 * packaged for Debian). `lintDockerfile` returns one finding per broken rule, naming the line.
 */
export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

export interface Finding {
  rule: string;
  line: number;
  message: string;
}

/** Splits a Dockerfile into instructions, joining `\` continuations and dropping comments. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { line: number; text: string } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (!pending && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending && trimmed.startsWith('#')) return;
    const continued = trimmed.endsWith('\\');
    const body = continued ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending ? { line: pending.line, text: `${pending.text} ${body}` } : { line: index + 1, text: body };
    if (!continued) {
      const match = /^(\S+)\s*(.*)$/.exec(pending.text);
      if (match) instructions.push({ line: pending.line, keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '' });
      pending = undefined;
    }
  });
  return instructions;
}

/** Image reference of each FROM, with `${ARG}` replaced by the ARG's default. */
export function resolveBaseImages(instructions: readonly Instruction[]): Array<{ line: number; image: string; stage: string | undefined }> {
  const args = new Map<string, string>();
  const images: Array<{ line: number; image: string; stage: string | undefined }> = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'ARG') {
      const [name, value] = instruction.args.split('=');
      if (name && value !== undefined) args.set(name.trim(), value.trim());
    } else if (instruction.keyword === 'FROM') {
      const [image = '', as, stage] = instruction.args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      const resolved = image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_all, braced: string | undefined, bare: string | undefined) => args.get(braced ?? bare ?? '') ?? '');
      images.push({ line: instruction.line, image: resolved, stage: as?.toUpperCase() === 'AS' ? stage : undefined });
    }
  }
  return images;
}

const isExecForm = (args: string): boolean => {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.length > 0 && parsed.every((part) => typeof part === 'string');
  } catch {
    return false;
  }
};

/** Checks one Dockerfile against the project's image rules. */
export function lintDockerfile(text: string): Finding[] {
  const instructions = parseDockerfile(text);
  const findings: Finding[] = [];
  const add = (rule: string, line: number, message: string): void => void findings.push({ rule, line, message });
  const bases = resolveBaseImages(instructions);
  const stageNames = new Set(bases.map((base) => base.stage).filter((stage): stage is string => Boolean(stage)));

  if (bases.length < 2) add('multi-stage', 1, 'build in stages: dependencies apart from the runtime image');
  for (const base of bases) {
    if (stageNames.has(base.image)) continue;
    const pinned = /@sha256:[0-9a-f]{64}$/.test(base.image) || /:[^:@/]*\d+\.\d+\.\d+[^:@/]*$/.test(base.image);
    if (!pinned) add('pinned-base', base.line, `base image "${base.image}" must be pinned to an exact version or digest`);
    if (/:latest\b/.test(base.image) || !base.image.includes(':')) add('no-latest', base.line, `base image "${base.image}" uses latest`);
  }

  const lastFrom = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  const runtime = instructions.slice(lastFrom);
  const users = runtime.filter((instruction) => instruction.keyword === 'USER');
  const finalUser = users.at(-1);
  if (!finalUser) add('non-root', instructions[lastFrom]?.line ?? 1, 'the runtime stage must switch to a non-root USER');
  else if (/^(root|0)(:|$)/.test(finalUser.args.trim())) add('non-root', finalUser.line, 'the runtime stage runs as root');

  const healthcheck = runtime.find((instruction) => instruction.keyword === 'HEALTHCHECK');
  if (!healthcheck) add('healthcheck', instructions[lastFrom]?.line ?? 1, 'the runtime stage needs a HEALTHCHECK');
  else if (!/\bCMD\s+\[/.test(healthcheck.args)) add('healthcheck', healthcheck.line, 'HEALTHCHECK CMD must use the exec (JSON) form');

  for (const keyword of ['ENTRYPOINT', 'CMD']) {
    const instruction = runtime.filter((entry) => entry.keyword === keyword).at(-1);
    if (!instruction) add('exec-form', instructions[lastFrom]?.line ?? 1, `the runtime stage needs ${keyword}`);
    else if (!isExecForm(instruction.args)) add('exec-form', instruction.line, `${keyword} must use the exec (JSON) form so signals reach node`);
  }

  for (const instruction of instructions) {
    if (instruction.keyword === 'ADD') {
      add('no-add', instruction.line, /https?:\/\//.test(instruction.args) ? 'ADD of a URL: download with a checksum in a RUN step instead' : 'use COPY, not ADD');
    }
    if (instruction.keyword === 'RUN') {
      if (/\bnpm (install|i)\b/.test(instruction.args)) add('npm-ci', instruction.line, 'install with `npm ci` from the lockfile, not `npm install`');
      if (/\bcurl\b[^|]*\|\s*(ba)?sh/.test(instruction.args)) add('no-curl-pipe', instruction.line, 'do not pipe downloads into a shell');
      if (/\bapt-get install\b/.test(instruction.args) && !/--no-install-recommends/.test(instruction.args)) add('apt-minimal', instruction.line, 'apt-get install needs --no-install-recommends');
      if (/\bsudo\b/.test(instruction.args)) add('no-sudo', instruction.line, 'no sudo in images');
    }
    if (instruction.keyword === 'ENV' && /\b\w*(SECRET|PASSWORD|TOKEN|PRIVATE_KEY)\w*=/i.test(instruction.args)) {
      add('no-secrets', instruction.line, 'secrets come from the runtime environment, never from ENV in the image');
    }
  }

  // The stage the runtime copies /app from must install production dependencies only.
  const copiedStages = runtime.filter((entry) => entry.keyword === 'COPY').map((entry) => /--from=(\S+)/.exec(entry.args)?.[1]).filter((stage): stage is string => Boolean(stage));
  const appSource = runtime.find((entry) => entry.keyword === 'COPY' && /--from=\S+\s+\/app\s+\/app\b/.test(entry.args));
  const appStage = appSource ? /--from=(\S+)/.exec(appSource.args)?.[1] : undefined;
  if (!appStage) add('prod-deps', instructions[lastFrom]?.line ?? 1, 'the runtime stage must copy /app from a dependencies stage');
  else {
    const start = instructions.findIndex((entry) => entry.keyword === 'FROM' && resolveBaseImages([entry])[0]?.stage === appStage);
    const end = instructions.findIndex((entry, index) => index > start && entry.keyword === 'FROM');
    const stage = instructions.slice(start, end === -1 ? undefined : end);
    if (!stage.some((entry) => entry.keyword === 'RUN' && /\bnpm ci\b[^&]*--omit=dev/.test(entry.args))) {
      add('prod-deps', stage[0]?.line ?? 1, `stage "${appStage}" must install with \`npm ci --omit=dev\``);
    }
  }
  for (const stage of copiedStages) {
    if (!stageNames.has(stage)) add('stage-exists', 1, `COPY --from=${stage} names no stage`);
  }
  return findings;
}
