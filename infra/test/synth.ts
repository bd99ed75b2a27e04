/**
 * Synthesizes the Threadline CDK app once per test process (each test file is its own process)
 * with the context of infra/cdk.json, and shares the templates and the cdk-nag report.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';

import { buildApp, type ThreadlineApp } from '../lib/app.js';
import { readCdkJsonContext } from '../lib/settings.js';

export interface Synthesized {
  app: App;
  stacks: ThreadlineApp;
  network: Template;
  shop: Template;
  data: Template;
  /** Findings cdk-nag reports after the acknowledgements (should be none). */
  nagViolations: Array<{ rule: string; paths: string[] }>;
  outdir: string;
}

let cached: Synthesized | undefined;

/**
 * @param options.cloudFormationValidation also run CDK's built-in CloudFormation schema and rule
 *   validation (the bulk of synth time: one test file does it, the others skip it).
 */
export function synthesize(options: { cloudFormationValidation?: boolean } = {}): Synthesized {
  if (cached) return cached;
  // CDK reads this switch for its default CloudFormation validation plugin; cdk-nag runs either way.
  process.env.CDK_VALIDATION = options.cloudFormationValidation ? 'true' : 'false';
  const outdir = mkdtempSync(path.join(tmpdir(), 'threadline-cdk-'));
  const app = new App({ context: readCdkJsonContext(), outdir });
  const stacks = buildApp(app);
  app.synth();
  const report = new AwsSolutionsChecks(app).validateScope(app);
  cached = {
    app,
    stacks,
    network: Template.fromStack(stacks.network),
    shop: Template.fromStack(stacks.shop),
    data: Template.fromStack(stacks.data),
    nagViolations: report.violations.map((violation) => ({
      rule: violation.ruleName,
      paths: violation.violatingResources.map((resource) => resource.constructPath ?? resource.resourceLogicalId ?? '?'),
    })),
    outdir,
  };
  return cached;
}

/** Resources of one CloudFormation type, as [logicalId, properties] pairs. */
export function resourcesOf(template: Template, type: string): Array<[string, Record<string, unknown>]> {
  const found = template.findResources(type);
  return Object.entries(found).map(([id, resource]) => {
    const properties: unknown = (resource as { Properties?: unknown }).Properties; // findResources returns CloudFormation resource objects
    return [id, typeof properties === 'object' && properties !== null ? (properties as Record<string, unknown>) : {}]; // narrowed to a non-null object
  });
}
