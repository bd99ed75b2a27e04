import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Command } from 'commander';

import { SYSTEM_DATA_ROOT } from '@threadline/config';
import { embeddedClusterDir, migrate, resolveDatabaseUrl } from '@threadline/db';

import { loadRuntime, withPool, type Runtime } from '../runtime.js';
import { isWebBuildFresh } from './build.js';
import { serveControl, type ControlReply, type ControlRequest } from '../launcher/control.js';
import { apiReplicaPort, resolveLaunchPorts, standbyWorkerPort } from '../launcher/ports.js';
import { reapLeftovers } from '../launcher/registry.js';
import { apiServices, CLI_BIN, companionServices, webService, workerServices } from '../launcher/services.js';
import { Supervisor, type ServiceSpec } from '../launcher/supervisor.js';
import { dbServices } from '../launcher/db-services.js';
import { planStart, recordStartState } from '../launcher/start-state.js';

async function isSeeded(runtime: Runtime): Promise<boolean> {
  return withPool(runtime, async (pool) => {
    const { rowCount } = await pool.query(`SELECT 1 FROM app_meta WHERE key = 'seed'`);
    return (rowCount ?? 0) > 0;
  });
}

/** The URL a tier reported when ready, else the one its port implies. */
function readyUrl(details: Record<string, unknown>, fallback: string): string {
  return typeof details.url === 'string' ? details.url.replace('://0.0.0.0:', '://127.0.0.1:') : fallback;
}

/** How long the web tier needs to notice a replica is back (its health checks run every 500 ms). */
const WEB_NOTICE_MS = 1_500;

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('start the whole system: database, API replicas, web tier and worker (first start seeds demo data)')
    .option('--no-seed', 'do not load demo data on first start')
    .action(async (options: { seed: boolean }) => {
      // from the moment this process began, so the timeline includes loading the launcher itself
      const startedAt = Math.round(performance.timeOrigin);
      const runtime = loadRuntime('start');
      const isTty = Boolean(process.stdout.isTTY);
      const registryFile = path.join(runtime.config.dataDir, 'run', 'launcher.json');
      const fail = (error: unknown): never => {
        process.stderr.write(`threadline start: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      };
      const leftovers = await reapLeftovers(registryFile, runtime.config.dataDir).catch(fail);
      if (leftovers.length > 0) process.stdout.write(`stopped ${leftovers.join(', ')} left running by a launcher that did not stop cleanly\n`);

      const isEmbedded = !runtime.config.databaseUrl;
      const companionsWanted = companionServices(runtime.config, []).services.length > 0;
      const ports = await resolveLaunchPorts({
        config: runtime.config,
        env: process.env,
        tierPorts: [
          { port: runtime.config.webPort, purpose: 'web tier', variable: 'PORT' },
          ...Array.from({ length: runtime.config.apiReplicas }, (_, index) => ({
            port: apiReplicaPort(runtime.config, index),
            purpose: `API replica ${index + 1}`,
            variable: index === 0 ? 'THREADLINE_API_PORT' : 'PORT',
          })),
          { port: runtime.config.workerPort, purpose: 'worker', variable: 'THREADLINE_WORKER_PORT' },
          { port: standbyWorkerPort(runtime.config), purpose: 'standby worker', variable: 'PORT' },
        ].filter((tier) => tier.port !== 0),
        withPg: isEmbedded,
        withMonitoring: companionsWanted,
      }).catch(fail);
      const config = ports.config;
      // the database may have moved to a free port: every later step talks to the resolved one
      const db: Runtime = { ...runtime, config, databaseUrl: resolveDatabaseUrl(config, runtime.secrets.pgPassword) };
      const childEnv: Record<string, string> = {
        THREADLINE_DATA_DIR: config.dataDir,
        PORT: String(config.webPort),
        ...ports.env,
        ...(isTty ? { THREADLINE_LOG_FORMAT: 'pretty' } : {}),
      };
      const dbSpecs = isEmbedded ? dbServices(config, childEnv, ports.reserved) : [];
      const apis = apiServices(config, childEnv);
      const supervisor = new Supervisor(
        (line) => process.stdout.write(`${line}\n`),
        ['prometheus', 'alertmanager', 'worker-2', ...dbSpecs.map((spec) => spec.name), ...apis.map((spec) => spec.name)],
        isTty,
        registryFile,
      );
      let isShuttingDown = false;
      const shutdown = async (signal: string): Promise<void> => {
        if (isShuttingDown) return;
        isShuttingDown = true;
        supervisor.log('start', `${signal}: stopping every process…`);
        control?.close();
        await supervisor.stopAll();
        supervisor.log('start', 'all processes stopped');
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      process.on('SIGHUP', () => void shutdown('SIGHUP'));

      let control: Awaited<ReturnType<typeof serveControl>> | undefined;
      let apiUrls: string[] = [];
      const specs = new Map<string, ServiceSpec>();
      // the start-up timeline: when PostgreSQL accepts connections, the checks finish, each tier answers
      const timeline: Array<{ event: string; seconds: number }> = [];
      const mark = (event: string): void => {
        const seconds = Number(((Date.now() - startedAt) / 1000).toFixed(1));
        timeline.push({ event, seconds });
        supervisor.log('start', `+${seconds.toFixed(1)} s ${event}`);
      };
      const failStart = async (error: unknown): Promise<void> => {
        // a child that ended because Ctrl-C is stopping everything is no failure of the start
        if (isShuttingDown) return;
        supervisor.log('start', `failed: ${error instanceof Error ? error.message : String(error)}`);
        await supervisor.stopAll();
        process.exit(1);
      };
      const startOne = async (spec: ServiceSpec): Promise<Record<string, unknown>> => {
        const details = await supervisor.start(spec);
        mark(`${spec.name} ready`);
        return details;
      };
      // the API URLs are known before the replicas answer when their ports are fixed, so the web
      // tier can boot alongside them (it reports ready only once a replica passes its health check)
      const fixedApiUrls = apis.every((_, index) => apiReplicaPort(config, index) !== 0)
        ? apis.map((_, index) => `http://127.0.0.1:${apiReplicaPort(config, index)}`)
        : undefined;
      const startShopTiers = async (): Promise<void> => {
        const apiReady = Promise.all(apis.map((spec) => startOne(spec)));
        for (const spec of apis) specs.set(spec.name, spec);
        let webReady: Promise<unknown>;
        if (fixedApiUrls) {
          apiUrls = fixedApiUrls;
          const web = webService(config, childEnv, apiUrls);
          specs.set(web.name, web);
          webReady = startOne(web);
          await Promise.all([apiReady, webReady]);
          return;
        }
        apiUrls = (await apiReady).map((details, index) => readyUrl(details, `http://127.0.0.1:${apiReplicaPort(config, index)}`));
        const web = webService(config, childEnv, apiUrls);
        specs.set(web.name, web);
        await startOne(web);
      };
      const wantsSeed = options.seed && config.isDemo;
      const plan = planStart({
        dataDir: config.dataDir,
        ...(isEmbedded ? { clusterDir: embeddedClusterDir(config.dataDir) } : {}),
        wantsSeed,
        isWebBuildFresh: isWebBuildFresh(),
      });
      try {
        let shopTiers: Promise<void> | undefined;
        if (plan.isOverlapped) {
          mark('later start: the API replicas and the web tier boot while PostgreSQL starts');
          shopTiers = startShopTiers();
          shopTiers.catch(() => undefined); // awaited below; a failure there is handled once
        } else {
          mark(`first-start path (${plan.reason})`);
        }
        for (const spec of dbSpecs) {
          await supervisor.start(spec);
          mark('PostgreSQL accepts connections');
        }
        const migrated = await withPool(db, (pool) => migrate(pool, { log: (line) => supervisor.log('start', line) }));
        mark(`migrations checked (${migrated.applied.length} applied, ${migrated.alreadyApplied} already)`);
        const isSeededNow = wantsSeed ? await isSeeded(db) : false;
        if (wantsSeed) mark(`demo data check: ${isSeededNow ? 'already loaded' : 'not loaded yet'}`);
        if (shopTiers && wantsSeed && !isSeededNow) {
          // recorded as loaded but it is not (the database was reset): stop the early tiers, load it first
          supervisor.log('start', 'the demo shop is missing although an earlier start loaded it: stopping the tiers to load it first');
          await shopTiers.catch(() => undefined);
          for (const name of [...apis.map((spec) => spec.name), 'web']) await supervisor.stop(name);
          shopTiers = undefined;
        }
        if (!shopTiers) {
          // first start: the seed (which ends with one pipeline run) and the page build share nothing,
          // and the seed waits on PostgreSQL and disk much of the time, so they run side by side
          const firstStart: Array<Promise<unknown>> = [];
          if (wantsSeed && !isSeededNow) {
            supervisor.log('start', 'first start: loading demo data and running the data pipeline once (threadline seed)…');
            firstStart.push(supervisor.run({ name: 'seed', command: process.execPath, args: [CLI_BIN, 'seed', '--if-empty'], env: childEnv }));
          }
          if (!isWebBuildFresh()) {
            supervisor.log('start', 'building the web pages (first start only)…');
            firstStart.push(supervisor.run({ name: 'build', command: process.execPath, args: [CLI_BIN, 'build'], env: childEnv }));
          }
          await Promise.all(firstStart);
          if (firstStart.length > 0) mark('first-start work done (seed, build)');
          shopTiers = startShopTiers();
        }
        if (wantsSeed) recordStartState(config.dataDir, { isSeeded: true });
        await shopTiers;
        control = await serveControl(config.dataDir, async (request, send) => handleControl({ request, send, supervisor, specs }));
      } catch (error) {
        await failStart(error);
        return;
      }
      for (const note of companionServices(config, apiUrls).notes) supervisor.log('start', note);
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
      const lines = [
        '',
        `Threadline is ready in ${seconds} s: http://localhost:${config.webPort}/`,
        `  back office: http://localhost:${config.webPort}/admin`,
        `  API replicas: ${apiUrls.join(', ')} (threadline restart api: one at a time, no request dropped)`,
        ...(isEmbedded
          ? [`  PostgreSQL: 127.0.0.1:${config.pgPort}`]
          : []),
        ...companionServices(config, apiUrls).services.map((spec) => `  ${spec.name}: ${spec.url} (starting)`),
      ];
      if (config.isDemo) {
        lines.push(
          '  demo logins (password threadline-demo):',
          '    admin@demo.threadline.dev     seller@demo.threadline.dev     customer@demo.threadline.dev',
        );
      }
      lines.push(`  data: ${config.dataDir}${existsSync(config.dataDir) ? '' : ' (missing!)'}`);
      if (config.dataDir.startsWith(`${SYSTEM_DATA_ROOT}/`) && !process.env.THREADLINE_DATA_DIR) {
        lines.push(`        (this checkout is under a directory the postgres user cannot enter; set THREADLINE_DATA_DIR to choose another place)`);
      }
      lines.push('  Ctrl-C stops every process.', '');
      process.stdout.write(`${lines.join('\n')}\n`);
      // the shop answers now; the worker (jobs, metrics) and the monitoring companions start after
      // it, so they take no CPU from the tiers the user is waiting for
      try {
        const workers = workerServices(config, childEnv, apiUrls);
        await Promise.all(workers.map((spec) => startOne(spec)));
        for (const spec of companionServices(config, apiUrls).services) {
          // the launcher held the port since it chose it: hand it over right before the server binds it
          await ports.reserved.release(spec.name === 'prometheus' ? config.prometheusPort : config.alertmanagerPort);
          await startOne(spec).then(
            () => supervisor.log('start', `${spec.name}: ${spec.url}`),
            (error: unknown) => supervisor.log(spec.name, `not started: ${String(error)}`),
          );
        }
      } catch (error) {
        await failStart(error);
        return;
      }
      if (!isShuttingDown) supervisor.log('start', `everything is up: ${timeline.map((step) => `${step.event} +${step.seconds.toFixed(1)} s`).join('; ')}`);
    });
}

/**
 * `threadline restart api|web|worker`: API replicas one at a time — each drains (fails /readyz
 * while still serving), stops, starts, and is seen healthy by the web tier before the next one.
 */
async function handleControl(options: {
  request: ControlRequest;
  send: (reply: ControlReply) => void;
  supervisor: Supervisor;
  specs: Map<string, ServiceSpec>;
}): Promise<void> {
  const { request, send, supervisor, specs } = options;
  if (request.command === 'status') {
    send({ line: supervisor.names().join(' '), done: true, ok: true });
    return;
  }
  const target = request.target ?? '';
  const names = supervisor.names().filter((name) => name === target || name.startsWith(`${target}-`));
  if (names.length === 0) {
    send({ line: `nothing named ${target} is running (running: ${supervisor.names().join(', ')})`, done: true, ok: false });
    return;
  }
  for (const name of names) {
    const startedAt = Date.now();
    send({ line: `${name}: draining and stopping…` });
    await supervisor.restart(name, specs.get(name));
    await sleep(WEB_NOTICE_MS);
    send({ line: `${name}: back in ${((Date.now() - startedAt) / 1000).toFixed(1)} s` });
  }
  send({ line: `restarted ${names.join(', ')}`, done: true, ok: true });
}
