import path from 'node:path';

import type { Config } from '@threadline/config';

import { findPgBackRest } from '../backup/pgbackrest.js';
import { findAlertingBinaries } from './binaries.js';
import { alertingCommands, writeAlertingConfig } from './configs.js';

type Env = Record<string, string | undefined>;

function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (!raw) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`${name}: expected a port 1-65535, got "${raw}"`);
  return port;
}

/** Ports of the monitoring servers on this host (THREADLINE_PROMETHEUS_PORT, THREADLINE_ALERTMANAGER_PORT). */
export function monitoringPorts(env: Env = process.env): { prometheus: number; alertmanager: number } {
  return {
    prometheus: readPort(env, 'THREADLINE_PROMETHEUS_PORT', 9090),
    alertmanager: readPort(env, 'THREADLINE_ALERTMANAGER_PORT', 9093),
  };
}

export interface CompanionPlan {
  services: Array<{ name: string; command: string; args: string[]; readyUrl: string; isRestartable: boolean }>;
  notes: string[];
}

/**
 * What `npm start` runs beside the tiers for monitoring: Prometheus (scraping api, web, worker with
 * deploy/prometheus/alerts.yml) and Alertmanager (to SLACK_WEBHOOK_URL), with configs generated
 * under `<dataDir>/ops`. Missing binaries or settings become notes the launcher prints.
 */
export function planMonitoringCompanions(config: Config, env: Env = process.env): CompanionPlan {
  const notes: string[] = [];
  if (!findPgBackRest()) {
    notes.push('pgbackrest is not installed: no WAL archiving, backups or point-in-time restore (apt-get install pgbackrest)');
  }
  if (env.THREADLINE_MONITORING === 'off') {
    notes.push('monitoring off (THREADLINE_MONITORING=off): /metrics is served, Prometheus and Alertmanager are not started');
    return { services: [], notes };
  }
  if (config.webPort === 0) {
    notes.push('tiers on random ports (PORT=0): Prometheus and Alertmanager not started');
    return { services: [], notes };
  }
  const binaries = findAlertingBinaries();
  if (!binaries.prometheus || !binaries.alertmanager) {
    const missing = [!binaries.prometheus && 'prometheus', !binaries.alertmanager && 'prometheus-alertmanager'].filter(Boolean).join(' and ');
    notes.push(`${missing} not installed: no alerting to Slack (apt-get install prometheus prometheus-alertmanager); /metrics is still served by every tier`);
    return { services: [], notes };
  }
  const ports = monitoringPorts(env);
  const layout = {
    dir: path.join(config.dataDir, 'ops'),
    targets: [
      { job: 'api', address: `127.0.0.1:${config.apiPort}` },
      { job: 'web', address: `127.0.0.1:${config.webPort}` },
      { job: 'worker', address: `127.0.0.1:${config.workerPort}` },
    ],
    prometheusPort: ports.prometheus,
    alertmanagerPort: ports.alertmanager,
    slackWebhookUrl: config.slackWebhookUrl,
    runbookBaseUrl: env.THREADLINE_RUNBOOK_BASE_URL,
  };
  const files = writeAlertingConfig(layout);
  const services = alertingCommands(files, layout, { prometheus: binaries.prometheus, alertmanager: binaries.alertmanager }).map((command) => ({
    ...command,
    isRestartable: true,
  }));
  notes.push(`monitoring: Prometheus http://127.0.0.1:${ports.prometheus}/alerts, Alertmanager http://127.0.0.1:${ports.alertmanager}/`);
  if (!config.slackWebhookUrl) notes.push('SLACK_WEBHOOK_URL is not set: alerts show in Alertmanager and `threadline ops status`, not in Slack');
  return { services, notes };
}
