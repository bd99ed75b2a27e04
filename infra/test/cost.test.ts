import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { estimateCost, loadPricing, type CfnTemplate } from '../lib/cost.js';
import { synthesize } from './synth.js';

const pricing = loadPricing('ap-northeast-2');

/** A template with one ASG of `type` at min/max, one NAT and one Multi-AZ database. */
function smallTemplate(type: string): CfnTemplate {
  return {
    Resources: {
      Lt: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { InstanceType: type, BlockDeviceMappings: [{ Ebs: { VolumeSize: 30 } }] } } },
      Asg: { Type: 'AWS::AutoScaling::AutoScalingGroup', Properties: { MinSize: '2', MaxSize: '6', LaunchTemplate: { LaunchTemplateId: { Ref: 'Lt' } } } },
      Nat: { Type: 'AWS::EC2::NatGateway', Properties: {} },
      Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBInstanceClass: 'db.m5.large', MultiAZ: true, AllocatedStorage: '100' } },
    },
  };
}

describe('cost model', () => {
  it('prices hosts by the hour at the Auto Scaling minimum (baseline) or maximum (peak)', () => {
    const baseline = estimateCost([smallTemplate('m5.large')], pricing, 'baseline');
    const ec2 = baseline.lines.find((line) => line.service === 'EC2');
    assert.deepEqual([ec2?.quantity, ec2?.unitPrice, ec2?.monthlyUsd], [2 * 730, 0.118, 172.28]);
    const peak = estimateCost([smallTemplate('m5.large')], pricing, 'peak');
    assert.equal(peak.lines.find((line) => line.service === 'EC2')?.monthlyUsd, 516.84);
    assert.ok(peak.totalUsd > baseline.totalUsd);
  });

  it('doubles the instance hours and storage of a Multi-AZ database', () => {
    const lines = estimateCost([smallTemplate('m5.large')], pricing).lines.filter((line) => line.service === 'RDS');
    assert.deepEqual(lines.map((line) => [line.quantity, line.monthlyUsd]), [[1460, 344.56], [200, 26.2]]);
  });

  it('adds the lines up and compares with the customer estimate', () => {
    const estimate = estimateCost([smallTemplate('m5.large')], pricing);
    const sum = Math.round(estimate.lines.reduce((total, line) => total + line.monthlyUsd, 0) * 100) / 100;
    assert.equal(estimate.totalUsd, sum);
    assert.equal(estimate.customerEstimateUsd, 857);
    assert.equal(estimate.differenceUsd, Math.round((sum - 857) * 100) / 100);
  });

  it('names an instance type that has no price instead of guessing', () => {
    assert.throws(() => estimateCost([smallTemplate('c7g.large')], pricing), /no EC2 price for "c7g\.large"; add it to infra\/pricing/);
  });

  it('prices the synthesized stacks close to the customer estimate of ~857 USD/month', () => {
    const { app } = synthesize();
    const templates = app.synth().stacks.map((stack) => stack.template as CfnTemplate); // cloud assembly templates are CloudFormation JSON
    const estimate = estimateCost(templates, pricing, 'baseline');
    const services = new Set(estimate.lines.map((line) => line.service));
    for (const service of ['EC2', 'RDS', 'VPC', 'ELB', 'WAF', 'Backup', 'Kinesis', 'Firehose', 'Glue', 'Athena']) assert.ok(services.has(service), service);
    // Four m5.large hosts (two per group) and the Multi-AZ db.m5.large dominate, as in the customer's sheet.
    const ec2 = estimate.lines.filter((line) => line.service === 'EC2').reduce((sum, line) => sum + line.quantity, 0);
    assert.equal(ec2, 4 * 730);
    const ratio = estimate.totalUsd / estimate.customerEstimateUsd;
    assert.ok(ratio > 0.8 && ratio < 1.3, `baseline ${estimate.totalUsd} USD vs 857 USD`);
  });

  it('`threadline infra cost --from cdk.out --format json` prints the same estimate as the model', async () => {
    const { outdir } = synthesize();
    const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'packages', 'cli', 'bin', 'threadline.mjs');
    const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      new Promise((resolve) => {
        execFile(process.execPath, [cli, 'infra', 'cost', ...args], (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
        });
      });
    const result = await run(['--from', outdir, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { totalUsd: number; scenario: string; lines: unknown[] }; // estimateCost's JSON
    const { app } = synthesize();
    const expected = estimateCost(app.synth().stacks.map((stack) => stack.template as CfnTemplate), pricing); // cloud assembly templates are CloudFormation JSON
    assert.equal(printed.scenario, 'baseline');
    assert.equal(printed.totalUsd, expected.totalUsd);
    const bad = await run(['--from', outdir, '--scenario', 'holiday']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--scenario must be one of baseline, peak/);
  });
});
