import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface AlertsProps {
  slackWorkspaceId: string;
  slackChannelId: string;
}

/**
 * One SNS topic for every operator alert (alarms, Auto Scaling events), delivered by AWS Chatbot
 * to the operators' Slack channel; the pipeline's notification rule targets the same channel.
 */
export class Alerts extends Construct {
  readonly topic: sns.Topic;
  readonly slack: chatbot.SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: 'Threadline operator alerts topic' });
    // CloudWatch alarms and CodeStar notifications publish to the encrypted topic.
    for (const service of ['cloudwatch.amazonaws.com', 'codestar-notifications.amazonaws.com', 'autoscaling.amazonaws.com']) {
      key.grant(new iam.ServicePrincipal(service), 'kms:Decrypt', 'kms:GenerateDataKey*');
    }
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'Threadline alerts', masterKey: key, enforceSSL: true });
    this.slack = new chatbot.SlackChannelConfiguration(this, 'Slack', {
      slackChannelConfigurationName: 'threadline-ops',
      slackWorkspaceId: props.slackWorkspaceId,
      slackChannelId: props.slackChannelId,
      notificationTopics: [this.topic],
      loggingLevel: chatbot.LoggingLevel.ERROR,
      guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
    });
  }
}
