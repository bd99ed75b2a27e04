/**
 * The CloudWatch agent configuration every ECS host runs (SYS-004): CPU, memory, network and
 * disk, per instance and aggregated per Auto Scaling group, in the CWAgent namespace. Kept as data
 * so that the alarms and the tests read the same metric names.
 */
export const CLOUDWATCH_AGENT_NAMESPACE = 'CWAgent';

export const CLOUDWATCH_AGENT_CONFIG = {
  agent: { metrics_collection_interval: 60, run_as_user: 'cwagent' },
  metrics: {
    namespace: CLOUDWATCH_AGENT_NAMESPACE,
    append_dimensions: { AutoScalingGroupName: '${aws:AutoScalingGroupName}', InstanceId: '${aws:InstanceId}' },
    aggregation_dimensions: [['AutoScalingGroupName']],
    metrics_collected: {
      cpu: { measurement: ['cpu_usage_active', 'cpu_usage_iowait'], totalcpu: true },
      mem: { measurement: ['mem_used_percent'] },
      net: { measurement: ['bytes_sent', 'bytes_recv', 'drop_in', 'drop_out'], resources: ['*'] },
      netstat: { measurement: ['tcp_established', 'tcp_time_wait'] },
      disk: { measurement: ['used_percent'], resources: ['/'] },
    },
  },
} as const;

/** Shell lines (Amazon Linux 2023) that install the agent and start it with the SSM parameter. */
export function cloudWatchAgentUserData(parameterName: string): string[] {
  return [
    'dnf install -y amazon-cloudwatch-agent',
    `/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:${parameterName}`,
  ];
}
