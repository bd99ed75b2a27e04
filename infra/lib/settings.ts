/**
 * Deployment settings read from CDK context (`cdk.json`, or `-c key=value` on the command line).
 * Everything the customer's design needs to know about its AWS account is here, so that
 * `cdk synth` runs offline: no lookups, the availability zones come from context.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Node } from 'constructs';

export interface Settings {
  /** AWS region; the customer runs in Seoul. */
  region: string;
  /** Account id, or undefined for an environment-agnostic synth (tests, reviews). */
  account: string | undefined;
  /** Exactly two availability zones (ap-northeast-2a, ap-northeast-2b). */
  availabilityZones: [string, string];
  vpcCidr: string;
  /** Public name of the shop, e.g. shop.example.com; gets the ACM certificate and the A record. */
  domainName: string;
  hostedZoneId: string;
  hostedZoneName: string;
  /** Image tag the services start with before the pipeline deploys its first build. */
  imageTag: string;
  githubConnectionArn: string;
  /** owner/name of the GitHub repository the pipeline builds. */
  githubRepository: string;
  githubBranch: string;
  slackWorkspaceId: string;
  slackChannelId: string;
  /** QuickSight user or group ARN granted the Athena data source; empty = no grant. */
  quickSightPrincipalArn: string;
}

const PREFIX = 'threadline:';

/** Path of the cdk.json whose context the CLI uses; tests feed the same values to `new App()`. */
export const CDK_JSON = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cdk.json');

/** The `context` object of infra/cdk.json. */
export function readCdkJsonContext(file: string = CDK_JSON): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('context' in parsed)) throw new Error(`${file} has no "context" object`);
  const { context } = parsed;
  if (typeof context !== 'object' || context === null) throw new Error(`${file}: "context" must be an object`);
  // Narrowed to a non-null object above; JSON object keys are strings.
  return context as Record<string, unknown>;
}

function readString(node: Node, key: string, { allowEmpty = false } = {}): string {
  const value: unknown = node.tryGetContext(PREFIX + key);
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    throw new Error(`context value "${PREFIX}${key}" must be a non-empty string (set it in infra/cdk.json or with -c ${PREFIX}${key}=…)`);
  }
  return value.trim();
}

function readAzs(node: Node): [string, string] {
  let value: unknown = node.tryGetContext(`${PREFIX}availabilityZones`);
  // `-c key=a,b` on the command line arrives as a string.
  if (typeof value === 'string') value = value.startsWith('[') ? JSON.parse(value) : value.split(',');
  if (!Array.isArray(value) || value.length !== 2 || !value.every((az) => typeof az === 'string' && /^[a-z]{2}-[a-z]+-\d[a-z]$/.test(az))) {
    throw new Error(`context value "${PREFIX}availabilityZones" must list exactly two zones, e.g. ["ap-northeast-2a","ap-northeast-2b"]`);
  }
  const [first, second] = value as [string, string]; // checked above: two zone-name strings
  return [first, second];
}

/** Reads and checks every setting, naming the context key that is wrong. */
export function readSettings(node: Node): Settings {
  const region = readString(node, 'region');
  const availabilityZones = readAzs(node);
  for (const az of availabilityZones) {
    if (!az.startsWith(region)) throw new Error(`availability zone ${az} is not in region ${region}`);
  }
  const account: unknown = node.tryGetContext(`${PREFIX}account`) ?? process.env.CDK_DEFAULT_ACCOUNT;
  return {
    region,
    account: typeof account === 'string' && /^\d{12}$/.test(account) ? account : undefined,
    availabilityZones,
    vpcCidr: readString(node, 'vpcCidr'),
    domainName: readString(node, 'domainName'),
    hostedZoneId: readString(node, 'hostedZoneId'),
    hostedZoneName: readString(node, 'hostedZoneName'),
    imageTag: readString(node, 'imageTag'),
    githubConnectionArn: readString(node, 'githubConnectionArn'),
    githubRepository: readString(node, 'githubRepository'),
    githubBranch: readString(node, 'githubBranch'),
    slackWorkspaceId: readString(node, 'slackWorkspaceId'),
    slackChannelId: readString(node, 'slackChannelId'),
    quickSightPrincipalArn: readString(node, 'quickSightPrincipalArn', { allowEmpty: true }),
  };
}
