import { Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

import type { Settings } from './settings.js';

export interface ThreadlineStackProps extends StackProps {
  settings: Settings;
}

/**
 * A stack in the customer's region whose availability zones come from context, so that synth
 * never asks AWS which zones exist (`Stack.availabilityZones` would otherwise look them up or
 * fall back to `Fn::GetAZs`, which cannot pin 2a/2b).
 */
export class ThreadlineStack extends Stack {
  readonly settings: Settings;

  constructor(scope: Construct, id: string, props: ThreadlineStackProps) {
    super(scope, id, {
      ...props,
      env: { region: props.settings.region, ...(props.settings.account ? { account: props.settings.account } : {}) },
    });
    this.settings = props.settings;
    Tags.of(this).add('app', 'threadline');
    Tags.of(this).add('stack', id);
  }

  override get availabilityZones(): string[] {
    return [...this.settings.availabilityZones];
  }
}
