import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { App, type CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';

import { buildApp } from '../lib/app.js';
import { readCdkJsonContext } from '../lib/settings.js';
import { resourcesOf, synthesize } from './synth.js';

// This file synthesizes with CloudFormation validation on: a schema error or an unacknowledged
// rule finding fails synth (validateAgainstDefaultRules in cdk.json), so reaching the tests proves it.
const { network, stacks, nagViolations } = synthesize({ cloudFormationValidation: true });

function logicalId(group: ec2.SecurityGroup): string {
  return stacks.network.getLogicalId(group.node.defaultChild as CfnElement); // a SecurityGroup's default child is its CfnSecurityGroup
}

interface Rule {
  target: string;
  source: string;
  from: number;
  to: number;
}

/** Every ingress rule of the network stack (inline and separate resources) as target ← source:ports. */
function ingressRules(): Rule[] {
  const refOf = (value: unknown): string => {
    const getAtt = (value as { 'Fn::GetAtt'?: unknown[] } | undefined)?.['Fn::GetAtt']; // SG references are Fn::GetAtt [id, GroupId]
    return Array.isArray(getAtt) ? String(getAtt[0]) : JSON.stringify(value);
  };
  const rules: Rule[] = [];
  for (const [id, props] of resourcesOf(network, 'AWS::EC2::SecurityGroup')) {
    for (const rule of (props.SecurityGroupIngress as Array<Record<string, unknown>> | undefined) ?? []) { // CloudFormation list of ingress objects
      rules.push({ target: id, source: String(rule.CidrIp ?? refOf(rule.SourceSecurityGroupId)), from: Number(rule.FromPort), to: Number(rule.ToPort) });
    }
  }
  for (const [, props] of resourcesOf(network, 'AWS::EC2::SecurityGroupIngress')) {
    rules.push({ target: refOf(props.GroupId), source: refOf(props.SourceSecurityGroupId), from: Number(props.FromPort), to: Number(props.ToPort) });
  }
  return rules;
}

describe('network stack (SYS-001)', () => {
  it('builds one VPC whose subnets sit in ap-northeast-2a and 2b from context', () => {
    network.resourceCountIs('AWS::EC2::VPC', 1);
    const zones = new Set(resourcesOf(network, 'AWS::EC2::Subnet').map(([, props]) => props.AvailabilityZone));
    assert.deepEqual([...zones].sort(), ['ap-northeast-2a', 'ap-northeast-2b']);
  });

  it('has public, web, app and db subnets in each of the two zones', () => {
    const subnets = resourcesOf(network, 'AWS::EC2::Subnet');
    assert.equal(subnets.length, 8);
    for (const name of ['public', 'web', 'app', 'db']) {
      const ofName = subnets.filter(([id]) => id.startsWith(`Vpc${name}Subnet`));
      assert.equal(ofName.length, 2, `${name} subnets`);
      assert.deepEqual(ofName.map(([, props]) => props.AvailabilityZone).sort(), ['ap-northeast-2a', 'ap-northeast-2b']);
      const isPublic = ofName.every(([, props]) => props.MapPublicIpOnLaunch === true);
      assert.equal(isPublic, name === 'public', `${name} subnets public?`);
    }
  });

  it('has an internet gateway and one NAT gateway per zone, each in a public subnet', () => {
    network.resourceCountIs('AWS::EC2::InternetGateway', 1);
    const nats = resourcesOf(network, 'AWS::EC2::NatGateway');
    assert.equal(nats.length, 2);
    const subnetRefs = nats.map(([, props]) => JSON.stringify(props.SubnetId)).sort();
    assert.match(subnetRefs[0] ?? '', /VpcpublicSubnet1/);
    assert.match(subnetRefs[1] ?? '', /VpcpublicSubnet2/);
  });

  it('routes the web and app subnets through their own zone NAT and gives the db subnets no internet route', () => {
    const routes = resourcesOf(network, 'AWS::EC2::Route');
    const defaultRoute = (subnet: string): Record<string, unknown> | undefined =>
      routes.find(([id, props]) => id.startsWith(`Vpc${subnet}`) && props.DestinationCidrBlock === '0.0.0.0/0')?.[1];
    for (const zone of ['1', '2']) {
      for (const tier of ['web', 'app']) {
        const route = defaultRoute(`${tier}Subnet${zone}`);
        assert.ok(route, `${tier}Subnet${zone} has a default route`);
        assert.match(JSON.stringify(route.NatGatewayId), new RegExp(`VpcpublicSubnet${zone}NATGateway`));
      }
      assert.equal(defaultRoute(`dbSubnet${zone}`), undefined, `dbSubnet${zone} must not reach the internet`);
    }
  });

  it('logs all VPC traffic (flow logs)', () => {
    network.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', ResourceType: 'VPC' });
  });

  it('chains security groups web ALB → web tasks → app ALB → API tasks → database on 5432 only', () => {
    const groups = stacks.network;
    const [webAlb, webTask, appAlb, appTask, db, glue, host] = [groups.webAlbSg, groups.webTaskSg, groups.appAlbSg, groups.appTaskSg, groups.dbSg, groups.glueSg, groups.hostSg].map(logicalId);
    const rules = ingressRules();
    const into = (target: string | undefined): string[] =>
      rules.filter((rule) => rule.target === target).map((rule) => `${rule.source}:${rule.from}-${rule.to}`).sort();
    assert.deepEqual(into(webAlb), ['0.0.0.0/0:443-443', '0.0.0.0/0:80-80']);
    assert.deepEqual(into(webTask), [`${webAlb}:8080-8080`]);
    assert.deepEqual(into(appAlb), [`${webTask}:80-80`]);
    assert.deepEqual(into(appTask), [`${appAlb}:8081-8081`]);
    assert.deepEqual(into(db), [`${appTask}:5432-5432`, `${glue}:5432-5432`].sort());
    assert.deepEqual(into(host), [], 'ECS hosts take no inbound traffic (no SSH)');
    // Glue's workers must reach each other on every port: a self-reference, nothing from outside.
    assert.deepEqual(into(glue), [`${glue}:0-65535`]);
    for (const rule of rules.filter((entry) => entry.source !== entry.target)) {
      assert.ok(!(rule.from <= 22 && rule.to >= 22), `port 22 open on ${rule.target} from ${rule.source}`);
    }
  });

  it('lets the database security group send nothing out', () => {
    network.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^RDS PostgreSQL'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });
});

describe('cdk-nag AWS Solutions checks', () => {
  it('treat CloudFormation validation findings as errors', () => {
    assert.equal(readCdkJsonContext()['@aws-cdk/core:validateAgainstDefaultRules'], true);
  });

  it('report no unacknowledged finding in any stack', () => {
    assert.deepEqual(nagViolations, []);
  });

  it('catch a finding that is not acknowledged', async () => {
    const { Stack } = await import('aws-cdk-lib');
    const s3 = await import('aws-cdk-lib/aws-s3');
    const { AwsSolutionsChecks } = await import('cdk-nag');
    const app = new App();
    const stack = new Stack(app, 'Probe');
    new s3.Bucket(stack, 'Unlogged');
    const report = new AwsSolutionsChecks(app).validateScope(app);
    assert.ok(report.violations.some((violation) => violation.ruleName.startsWith('AwsSolutions-S1')), 'an unlogged bucket is reported');
  });
});

describe('offline synthesis', () => {
  it('asks AWS for nothing: no context lookups are missing from the cloud assembly', () => {
    const assembly = synthesize().app.synth();
    assert.deepEqual(assembly.manifest.missing ?? [], []);
    assert.deepEqual(assembly.stacks.map((stack) => stack.stackName).sort(), ['Threadline-Data', 'Threadline-Network', 'Threadline-Shop']);
  });
});

describe('settings from context', () => {
  it('names the context key when availability zones are missing or wrong', () => {
    const context = { ...readCdkJsonContext(), 'threadline:availabilityZones': ['ap-northeast-2a'] };
    assert.throws(() => buildApp(new App({ context })), /threadline:availabilityZones" must list exactly two zones/);
  });

  it('refuses zones outside the region', () => {
    const context = { ...readCdkJsonContext(), 'threadline:availabilityZones': ['us-west-1a', 'us-west-1b'] };
    assert.throws(() => buildApp(new App({ context })), /us-west-1a is not in region ap-northeast-2/);
  });

  it('accepts the zones as a comma-separated -c value', () => {
    const context = { ...readCdkJsonContext(), 'threadline:availabilityZones': 'ap-northeast-2a,ap-northeast-2c' };
    const { network: stack } = buildApp(new App({ context }));
    assert.deepEqual(stack.availabilityZones, ['ap-northeast-2a', 'ap-northeast-2c']);
  });

  it('names a missing domain', () => {
    const context = { ...readCdkJsonContext(), 'threadline:domainName': '' };
    assert.throws(() => buildApp(new App({ context })), /threadline:domainName/);
  });
});
