import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Requests per 5 minutes from one IP before the rate-based rule blocks it. */
export const RATE_LIMIT_PER_5_MIN = 2000;

/** AWS managed rule groups on the web ACL, in priority order (SER-001: SQL injection and more). */
export const MANAGED_RULE_GROUPS = ['AWSManagedRulesSQLiRuleSet', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet'] as const;

export interface DomainProps {
  domainName: string;
  hostedZoneId: string;
  hostedZoneName: string;
}

/** Route 53 zone (imported by id, no lookup) and the ACM certificate of the shop's name. */
export class Domain extends Construct {
  readonly zone: route53.IHostedZone;
  readonly certificate: acm.Certificate;

  constructor(scope: Construct, id: string, private readonly props: DomainProps) {
    super(scope, id);
    this.zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: props.hostedZoneId, zoneName: props.hostedZoneName });
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(this.zone),
    });
  }

  /** Points the shop's name at the web ALB (alias A record). */
  pointAt(alb: elbv2.IApplicationLoadBalancer): route53.ARecord {
    return new route53.ARecord(this, 'ShopRecord', {
      zone: this.zone,
      recordName: this.props.domainName,
      target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(alb)),
    });
  }
}

/**
 * SER-001: one regional WAFv2 web ACL on the web ALB with the managed SQL-injection, common and
 * known-bad-inputs rule groups and a per-IP rate-based rule; blocked requests are logged.
 */
export class WebFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, alb: elbv2.IApplicationLoadBalancer) {
    super(scope, id);
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed: wafv2.CfnWebACL.RuleProperty[] = MANAGED_RULE_GROUPS.map((name, index) => ({
      name,
      priority: index + 1,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: visibility(name),
    }));
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: 'threadline-web',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('threadline-web'),
      rules: [
        ...managed,
        {
          name: 'RateLimitPerIp',
          priority: managed.length + 1,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: RATE_LIMIT_PER_5_MIN, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: alb.loadBalancerArn, webAclArn: this.webAcl.attrArn });
    // WAF only logs to log groups whose names start with aws-waf-logs-.
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `aws-waf-logs-threadline-${Stack.of(this).region}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // The log group ARN without the trailing ":*" that LogGroup.logGroupArn carries.
      logDestinationConfigs: [Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
    });
  }
}
