/**
 * The CDK app: `cd infra && npx cdk synth` (offline; settings come from cdk.json context).
 */
import { App } from 'aws-cdk-lib';

import { buildApp } from '../lib/app.js';

buildApp(new App());
