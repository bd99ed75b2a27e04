import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import { freeLoopbackPort, isPortFree, loadConfig } from '@threadline/config';

import { pickStablePort, PortInUseError, resolveLaunchPorts, STABLE_PORT_RANGE } from './ports.js';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-ports-'));
  dirs.push(dir);
  return dir;
}

/** A launcher's configuration whose monitoring ports default (not set by the operator) to the given ones. */
function configWithDefaults(monitoring: { prometheus: number; alertmanager: number }): ReturnType<typeof loadConfig> {
  return loadConfig({
    THREADLINE_DATA_DIR: dataDir(),
    THREADLINE_PROMETHEUS_PORT: String(monitoring.prometheus),
    THREADLINE_ALERTMANAGER_PORT: String(monitoring.alertmanager),
  });
}

describe('monitoring ports chosen by threadline start', () => {
  it('holds the Prometheus and Alertmanager ports from the choice until each server is started', async () => {
    const defaults = { prometheus: await freeLoopbackPort(), alertmanager: await freeLoopbackPort() };
    const resolved = await resolveLaunchPorts({ config: configWithDefaults(defaults), env: {}, tierPorts: [], withPg: false, withMonitoring: true });
    try {
      assert.equal(resolved.config.prometheusPort, defaults.prometheus);
      assert.equal(resolved.config.alertmanagerPort, defaults.alertmanager);
      // in between (the first start loads demo data for a minute) nobody else can take them
      assert.equal(await isPortFree(defaults.prometheus), false, 'Prometheus port held');
      assert.equal(await isPortFree(defaults.alertmanager), false, 'Alertmanager port held');
      await resolved.reserved.release(defaults.alertmanager);
      assert.equal(await isPortFree(defaults.alertmanager), true, 'released right before Alertmanager binds it');
      assert.equal(await isPortFree(defaults.prometheus), false, 'Prometheus port still held');
    } finally {
      await resolved.reserved.releaseAll();
    }
    assert.ok(await isPortFree(defaults.prometheus));
  });

  it('gives two launchers started together different monitoring ports (same defaults, neither bound yet)', async () => {
    const defaults = { prometheus: await freeLoopbackPort(), alertmanager: await freeLoopbackPort() };
    const first = await resolveLaunchPorts({ config: configWithDefaults(defaults), env: {}, tierPorts: [], withPg: false, withMonitoring: true });
    const secondConfig = configWithDefaults(defaults);
    const second = await resolveLaunchPorts({ config: secondConfig, env: {}, tierPorts: [], withPg: false, withMonitoring: true });
    try {
      const chosen = [first, second].flatMap((launch) => [launch.config.prometheusPort, launch.config.alertmanagerPort]);
      assert.equal(new Set(chosen).size, 4, `four distinct ports: ${chosen.join(', ')}`);
      const recorded = JSON.parse(readFileSync(path.join(secondConfig.dataDir, 'ports.json'), 'utf8')) as Record<string, number>; // written by resolveLaunchPorts
      assert.equal(recorded.prometheus, second.config.prometheusPort, 'the moved port is recorded for later commands');
      assert.equal(second.env.THREADLINE_ALERTMANAGER_PORT, String(second.config.alertmanagerPort));
    } finally {
      await first.reserved.releaseAll();
      await second.reserved.releaseAll();
    }
  });

  it('refuses one port given to both Prometheus and Alertmanager, naming both variables', async () => {
    const port = await freeLoopbackPort();
    const config = configWithDefaults({ prometheus: port, alertmanager: port });
    const env = { THREADLINE_PROMETHEUS_PORT: String(port), THREADLINE_ALERTMANAGER_PORT: String(port) };
    await assert.rejects(resolveLaunchPorts({ config, env, tierPorts: [], withPg: false, withMonitoring: true }), (error: unknown) => {
      assert.ok(error instanceof PortInUseError);
      assert.match(error.message, new RegExp(`port ${port} \\(Alertmanager, also given to Prometheus by THREADLINE_PROMETHEUS_PORT\\).*set THREADLINE_ALERTMANAGER_PORT`));
      return true;
    });
    assert.ok(await isPortFree(port), 'nothing left held after the refusal');
  });
});

describe('ports chosen for a data directory', () => {
  it('moves a taken PostgreSQL default below the range outgoing connections take their local ports from', async () => {
    // the default is taken (port 0 hands out a port of the outgoing range, as a client's would be)
    const blocker = createServer();
    const taken = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port))); // listen(0) on TCP gives an AddressInfo
    try {
      const config = loadConfig({ THREADLINE_DATA_DIR: dataDir(), THREADLINE_PG_PORT: String(taken) });
      const resolved = await resolveLaunchPorts({ config, env: {}, tierPorts: [], withPg: true, withMonitoring: false });
      assert.notEqual(resolved.config.pgPort, taken);
      assert.ok(resolved.config.pgPort >= STABLE_PORT_RANGE.first && resolved.config.pgPort <= STABLE_PORT_RANGE.last, `port ${resolved.config.pgPort} in ${STABLE_PORT_RANGE.first}–${STABLE_PORT_RANGE.last}`);
      assert.equal(resolved.env.THREADLINE_PG_PORT, String(resolved.config.pgPort));
    } finally {
      blocker.close();
    }
  });

  it('gives the embedded PostgreSQL a default below the outgoing range too', () => {
    const { pgPort } = loadConfig({ THREADLINE_DATA_DIR: dataDir() });
    assert.ok(pgPort < 32_768, `default ${pgPort}`);
  });

  it('picks stable ports over the whole range, ends included', () => {
    assert.equal(pickStablePort(() => 0), STABLE_PORT_RANGE.first);
    assert.equal(pickStablePort(() => 0.999_999_999), STABLE_PORT_RANGE.last);
  });
});
