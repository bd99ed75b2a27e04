import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { Command } from 'commander';

import { parseFormat, printRows, withFormat } from '../output.js';

const SCENARIOS = ['baseline', 'peak'] as const;

/** CloudFormation templates of a `cdk synth` output directory. */
function readTemplates(dir: string): unknown[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.template.json'));
  } catch (error) {
    throw new Error(`--from ${dir}: cannot read the directory (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (files.length === 0) throw new Error(`--from ${dir}: no *.template.json files; run \`npx cdk synth\` in infra/ first`);
  return files.map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown);
}

export function registerInfra(program: Command): void {
  const infra = program.command('infra').description('the AWS deployment (CDK app in infra/): cost model');
  withFormat(
    infra
      .command('cost')
      .description("price the synthesized AWS stacks with the on-demand prices in infra/pricing and compare with the customer's estimate")
      .option('--scenario <scenario>', `hosts at their Auto Scaling minimum or maximum: ${SCENARIOS.join('|')}`, 'baseline')
      .option('--from <dir>', 'read templates from a `cdk synth` output directory instead of synthesizing')
      .option('--region <region>', 'price list to use (infra/pricing/<region>.json)', 'ap-northeast-2'),
  ).action(async (options: { format?: unknown; scenario?: unknown; from?: string; region: string }) => {
    const format = parseFormat(options.format);
    const scenario = SCENARIOS.find((value) => value === options.scenario);
    if (!scenario) throw new Error(`--scenario must be one of ${SCENARIOS.join(', ')} (got "${String(options.scenario)}")`);
    let cost: typeof import('@threadline/infra');
    try {
      cost = await import('@threadline/infra');
    } catch (error) {
      throw new Error(`the CDK app is not installed here (it is a development dependency): run \`npm ci\` in a checkout (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (!options.from) process.stderr.write('synthesizing the CDK app offline (about 20 s)…\n');
    // Template JSON comes from CloudFormation synthesis; estimateCost reads it defensively.
    const templates = (options.from ? readTemplates(options.from) : await cost.synthesizeTemplates()) as import('@threadline/infra').CfnTemplate[];
    const estimate = cost.estimateCost(templates, cost.loadPricing(options.region), scenario);
    if (format === 'json') {
      console.log(JSON.stringify(estimate, null, 2));
      return;
    }
    printRows(estimate.lines, format, ['service', 'item', 'quantity', 'unit', 'unitPrice', 'monthlyUsd']);
    if (format === 'table') {
      const sign = estimate.differenceUsd >= 0 ? '+' : '−';
      const percent = ((Math.abs(estimate.differenceUsd) / estimate.customerEstimateUsd) * 100).toFixed(1);
      console.log(
        `\ntotal (${estimate.scenario}, ${estimate.region}, prices as of ${estimate.asOf}): ${estimate.totalUsd.toFixed(2)} USD/month` +
          `\ncustomer's estimate: ${estimate.customerEstimateUsd.toFixed(2)} USD/month (${sign}${Math.abs(estimate.differenceUsd).toFixed(2)}, ${sign}${percent}%)`,
      );
    }
  });
}
