import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

import { DataStack } from './data-stack.js';
import { NetworkStack } from './network-stack.js';
import { acknowledgeFindings } from './nag-suppressions.js';
import { readSettings } from './settings.js';
import { ShopStack } from './shop-stack.js';

export interface ThreadlineApp {
  network: NetworkStack;
  shop: ShopStack;
  data: DataStack;
}

/**
 * Adds the three Threadline stacks to `app` and the cdk-nag AWS Solutions checks over them.
 *
 * @example
 * const app = new App({ context: readCdkJsonContext() });
 * const { shop } = buildApp(app);
 * Template.fromStack(shop);
 */
export function buildApp(app: App): ThreadlineApp {
  const settings = readSettings(app.node);
  const network = new NetworkStack(app, 'Threadline-Network', { settings, description: 'Threadline: VPC over two AZs, subnets, NAT, security groups' });
  const shop = new ShopStack(app, 'Threadline-Shop', {
    settings,
    network,
    description: 'Threadline: ECS tiers, ALBs, RDS + AWS Backup, WAF, domain, alarms to Slack, delivery pipeline',
  });
  const data = new DataStack(app, 'Threadline-Data', {
    settings,
    network,
    database: shop.database.instance,
    alertsTopic: shop.alerts.topic,
    cluster: shop.compute.cluster,
    workerTask: shop.compute.services.worker.taskDefinition,
    workerSecurityGroup: network.appTaskSg,
    description: 'Threadline: data lake, Kinesis + Firehose, survey Lambda, Glue, Athena, QuickSight',
  });
  acknowledgeFindings({ network, shop, data });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { network, shop, data };
}
