import path from 'node:path';

import type { Config } from '@threadline/config';

import { findPgBackRest } from '../backup/pgbackrest.js';
import { findAlertingBinaries } from './binaries.js';
import { alertingCommands, writeAlertingConfig } from './configs.js';

/** Ports of the monitoring servers of this data directory (env, else recorded in ports.json, else 9090/9093). */
export function monitoringPorts(config: Pick<Config, 'prometheusPort' | 'alertmanagerPort'>): { prometheus: number; alertmanager: number } {
  return { prometheus: config.prometheusPort, alertmanager: config.alertmanagerPort };
}

export interface CompanionPlan {
  /** `url` is what the start banner shows once the service runs. */
  services: Array<{ name: string; command: string; args: string[]; readyUrl: string; isRestartable: boolean; url: string }>;
  notes: string[];
}

/**
 * What `npm start` runs beside the tiers for monitoring: Prometheus (scraping api, web, worker with
 * deploy/prometheus/alerts.yml) and Alertmanager (to SLACK_WEBHOOK_URL), with configs generated
 * under `<dataDir>/ops`. Missing binaries or settings become notes the launcher prints.
 */
export function planMonitoringCompanions(
  config: Config,
  processes: { apiUrls?: string[]; workerUrls?: string[] } = {},
): CompanionPlan {
  const notes: string[] = [];
  if (!findPgBackRest()) {
    notes.push('pgbackrest is not installed: no WAL archiving, backups or point-in-time restore (apt-get install pgbackrest)');
  }
  if (!config.monitoring.isEnabled) {
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
  const ports = monitoringPorts(config);
  const layout = {
    dir: path.join(config.dataDir, 'ops'),
    targets: [
      ...(processes.apiUrls ?? [`http://127.0.0.1:${config.apiPort}`]).map((url) => ({ job: 'api', address: new URL(url).host })),
      { job: 'web', address: `127.0.0.1:${config.webPort}` },
      ...(processes.workerUrls ?? [`127.0.0.1:${config.workerPort}`]).map((address) => ({ job: 'worker', address })),
    ],
    prometheusPort: ports.prometheus,
    alertmanagerPort: ports.alertmanager,
    slackWebhookUrl: config.slackWebhookUrl,
    runbookBaseUrl: config.monitoring.runbookBaseUrl,
  };
  const files = writeAlertingConfig(layout);
  const services = alertingCommands(files, layout, { prometheus: binaries.prometheus, alertmanager: binaries.alertmanager }).map((command) => ({
    ...command,
    isRestartable: true,
    url: command.name === 'prometheus' ? `http://127.0.0.1:${ports.prometheus}/alerts` : `http://127.0.0.1:${ports.alertmanager}/`,
  }));
  if (!config.slackWebhookUrl) notes.push('SLACK_WEBHOOK_URL is not set: alerts show in Alertmanager and `threadline ops status`, not in Slack');
  return { services, notes };
}
