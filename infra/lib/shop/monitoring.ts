import { Duration } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

import { CLOUDWATCH_AGENT_NAMESPACE } from './cloudwatch-agent.js';

export interface MonitoringProps {
  topic: sns.ITopic;
  autoScalingGroups: Record<'web' | 'app', autoscaling.IAutoScalingGroup>;
  webAlb: elbv2.ApplicationLoadBalancer;
  appAlb: elbv2.ApplicationLoadBalancer;
  database: rds.DatabaseInstance;
}

/** Alarm thresholds (SYS-004). Operators tune them here; the runbook cites the same numbers. */
export const THRESHOLDS = {
  hostCpuPercent: 80,
  hostMemoryPercent: 85,
  hostNetworkOutBytesPer5Min: 5 * 1024 ** 3,
  alb5xxPer5Min: 25,
  targetResponseSeconds: 1.5,
  databaseCpuPercent: 80,
  databaseFreeStorageBytes: 10 * 1024 ** 3,
} as const;

/**
 * Threshold alarms on the CloudWatch agent's host metrics (CPU, memory, network), the ALBs and the
 * database, each notifying the alerts topic (→ Chatbot → Slack) on alarm and on recovery.
 */
export class Monitoring extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const notify = new actions.SnsAction(props.topic);
    const add = (name: string, metric: cloudwatch.IMetric, threshold: number, description: string, comparison = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD): void => {
      const alarm = new cloudwatch.Alarm(this, name, {
        alarmName: `threadline-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: comparison,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      this.alarms.push(alarm);
    };
    const period = Duration.minutes(5);

    for (const [tier, group] of Object.entries(props.autoScalingGroups)) {
      const dimensionsMap = { AutoScalingGroupName: group.autoScalingGroupName };
      const agent = (metricName: string, statistic = 'Average'): cloudwatch.Metric =>
        new cloudwatch.Metric({ namespace: CLOUDWATCH_AGENT_NAMESPACE, metricName, dimensionsMap, statistic, period });
      add(`${tier}-host-cpu`, agent('cpu_usage_active'), THRESHOLDS.hostCpuPercent, `${tier} hosts: CPU above ${THRESHOLDS.hostCpuPercent}% (CloudWatch agent)`);
      add(`${tier}-host-memory`, agent('mem_used_percent'), THRESHOLDS.hostMemoryPercent, `${tier} hosts: memory above ${THRESHOLDS.hostMemoryPercent}%`);
      add(`${tier}-host-network-out`, agent('net_bytes_sent', 'Sum'), THRESHOLDS.hostNetworkOutBytesPer5Min, `${tier} hosts: more than 5 GiB sent in 5 minutes`);
    }
    for (const [tier, alb] of [['web', props.webAlb], ['app', props.appAlb]] as const) {
      add(`${tier}-alb-5xx`, alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' }), THRESHOLDS.alb5xxPer5Min, `${tier} ALB: targets answered more than ${THRESHOLDS.alb5xxPer5Min} 5xx in 5 minutes`);
      add(`${tier}-alb-latency`, alb.metrics.targetResponseTime({ period, statistic: 'p99' }), THRESHOLDS.targetResponseSeconds, `${tier} ALB: p99 response time above ${THRESHOLDS.targetResponseSeconds}s`);
    }
    add('db-cpu', props.database.metricCPUUtilization({ period }), THRESHOLDS.databaseCpuPercent, `database CPU above ${THRESHOLDS.databaseCpuPercent}%`);
    add('db-free-storage', props.database.metricFreeStorageSpace({ period }), THRESHOLDS.databaseFreeStorageBytes, 'database has less than 10 GiB free', cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD);
  }
}
