import { existsSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import pg from 'pg';

import {
  currentTimeline,
  dropStandbySlot,
  embeddedUrl,
  ensureReplicationRole,
  isClusterInitialised,
  primaryConninfo,
  promoteStandby,
  setSynchronousStandby,
  standbyReplication,
  startCluster,
  STANDBY_NAME,
  takeBaseBackup,
  withClient,
  writeReplicationPassfile,
  writeTimeline,
  type RunningCluster,
} from '@threadline/db';
import { shellQuote } from '@threadline/ops';

import { freeStablePort, PortReservations } from './ports.js';

/** What the db tier tells other commands (the drill, `threadline doctor`) about its pair. */
export interface StandbyState {
  /** `streaming` (commits wait for the standby), `building`, `down`. */
  standby: 'streaming' | 'building' | 'down';
  standbyPort: number | null;
  timeline: number;
  failovers: number;
  lastFailoverAt: string | null;
}

export function standbyStateFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'db-standby.json');
}

/** The pair's state as the db tier last wrote it, or undefined when no standby is kept. */
export function readStandbyState(dataDir: string): StandbyState | undefined {
  try {
    // written by DbPair.saveState below, in this shape
    return JSON.parse(readFileSync(standbyStateFile(dataDir), 'utf8')) as StandbyState;
  } catch {
    return undefined;
  }
}

/** After a failed standby copy, the first retry waits this long, doubling up to the maximum. */
const STANDBY_RETRY_FIRST_MS = 5_000;
const STANDBY_RETRY_MAX_MS = 60_000;

type Log = (level: 'info' | 'warn' | 'error', line: string) => void;

export interface DbPairOptions {
  dataDir: string;
  /** The endpoint every tier connects to: the current primary always listens here. */
  port: number;
  password: string;
  replicationPassword: string;
  settings: Record<string, string>;
  log: Log;
  onPgLog: (line: string) => void;
  /** The pair cannot go on (primary lost without a standby in sync): the tier exits so the launcher restarts it. */
  onFatal: (reason: string) => void;
}

/**
 * The embedded primary and its synchronous hot standby. The primary lives in `<dataDir>/pg` on the
 * endpoint port; the standby in `<dataDir>/pg-standby` on a free loopback port, built with
 * pg_basebackup and streaming through a replication slot. Commits wait for the standby while it
 * streams (synchronous_standby_names); when it is away the primary goes on alone (and says so).
 *
 * Failover, fenced: when the primary's postmaster dies and the standby was in sync, the standby is
 * promoted (new timeline), stopped, moved into `pg` and started on the endpoint port; the dead
 * primary's directory is never started again — it is deleted and a new standby is copied from the
 * new primary. The endpoint is closed for the few seconds in between, so no tier writes anywhere else.
 */
export class DbPair {
  primary: RunningCluster | undefined;
  private standby: RunningCluster | undefined;
  private standbyPort: number | null = null;
  private isSync = false;
  /** Polls in a row that saw the standby in sync but not streaming (see `poll`). */
  private notStreamingPolls = 0;
  private isStopping = false;
  private isFailingOver = false;
  private state: StandbyState = { standby: 'down', standbyPort: null, timeline: 1, failovers: 0, lastFailoverAt: null };
  private poller: NodeJS.Timeout | undefined;
  /** The next try at copying a standby after one failed, and how many failed in a row. */
  private standbyRetry: NodeJS.Timeout | undefined;
  private standbyAttempts = 0;

  constructor(private readonly options: DbPairOptions) {
    const previous = readStandbyState(options.dataDir);
    if (previous) this.state = { ...previous, standby: 'down', standbyPort: null };
  }

  private get primaryDir(): string {
    return path.join(this.options.dataDir, 'pg');
  }

  private get standbyDir(): string {
    return path.join(this.options.dataDir, 'pg-standby');
  }

  private get passfile(): string {
    return path.join(this.options.dataDir, 'run', 'replication.pgpass');
  }

  private saveState(patch: Partial<StandbyState>): void {
    this.state = { ...this.state, ...patch };
    mkdirSync(path.dirname(standbyStateFile(this.options.dataDir)), { recursive: true });
    writeFileSync(standbyStateFile(this.options.dataDir), `${JSON.stringify(this.state, null, 2)}\n`);
  }

  private onPrimary<T>(work: (client: pg.Client) => Promise<T>, port = this.options.port): Promise<T> {
    return withClient({ connectionString: embeddedUrl(port, this.options.password, 'postgres'), connectionTimeoutMillis: 3_000 }, work);
  }

  /** Starts the primary (already initialised) and, in the background, its standby. */
  async start(): Promise<RunningCluster> {
    const primary = await this.startPrimary();
    writeReplicationPassfile(this.passfile, this.options.replicationPassword);
    await this.onPrimary(async (client) => {
      await ensureReplicationRole(client, this.options.replicationPassword);
      // commits never wait for a standby that is not there yet
      await setSynchronousStandby(client, '');
      this.saveState({ timeline: await currentTimeline(client) });
    });
    void this.startStandby();
    this.schedulePoll();
    return primary;
  }

  private async startPrimary(): Promise<RunningCluster> {
    const cluster = await startCluster({ dir: this.primaryDir, port: this.options.port, password: this.options.password, settings: this.options.settings, onLog: this.options.onPgLog });
    this.primary = cluster;
    cluster.process.once('exit', (code) => void this.onPrimaryExit(code));
    return cluster;
  }

  private async startStandby(): Promise<void> {
    this.standbyRetry = undefined;
    if (this.isStopping) return;
    this.saveState({ standby: 'building' });
    try {
      const port = await freeStablePort();
      const settings = {
        ...this.options.settings,
        ...standbyArchiving(this.options.settings, this.standbyDir),
        primary_conninfo: primaryConninfo(this.options.port, this.passfile),
        primary_slot_name: STANDBY_NAME,
        hot_standby_feedback: 'on',
      };
      const start = (): Promise<RunningCluster> =>
        startCluster({ dir: this.standbyDir, port, password: this.options.password, settings, onLog: (line) => this.options.onPgLog(`standby: ${line}`) });
      let standby: RunningCluster | undefined;
      if (isClusterInitialised(this.standbyDir) && existsSync(path.join(this.standbyDir, 'standby.signal'))) {
        standby = await start().catch((error: unknown) => {
          this.options.log('warn', `the standby in ${this.standbyDir} did not start (${String(error)}): copying it again`);
          return undefined;
        });
      }
      if (!standby) {
        this.options.log('info', `copying the primary into ${this.standbyDir} (pg_basebackup)…`);
        await this.onPrimary((client) => dropStandbySlot(client));
        await takeBaseBackup({ dir: this.standbyDir, primaryPort: this.options.port, passfile: this.passfile, onLog: (line) => this.options.onPgLog(`pg_basebackup: ${line}`) });
        standby = await start();
      }
      if (this.isStopping) {
        await standby.stop();
        return;
      }
      this.standby = standby;
      this.standbyPort = port;
      this.options.log('info', `hot standby running on 127.0.0.1:${port} (${this.standbyDir})`);
      standby.process.once('exit', () => void this.onStandbyExit(standby));
      this.standbyAttempts = 0;
    } catch (error) {
      this.saveState({ standby: 'down', standbyPort: null });
      if (this.isStopping) return;
      // a copy that failed (a connection timed out under load…) is tried again, less often each time
      this.standbyAttempts += 1;
      const delayMs = Math.min(STANDBY_RETRY_MAX_MS, STANDBY_RETRY_FIRST_MS * 2 ** (this.standbyAttempts - 1));
      this.options.log('error', `no hot standby: ${error instanceof Error ? error.message : String(error)}; trying again in ${delayMs / 1000} s (attempt ${this.standbyAttempts})`);
      this.standbyRetry = setTimeout(() => void this.startStandby(), delayMs);
    }
  }

  /**
   * One poll at a time, the next a second after the last ended. Overlapping polls (a slow primary
   * under load) can each open their connection before a kill and each see the walsender gone
   * after it: two "not streaming" in a row from one moment, which gives up the synchronous standby
   * just before the primary's exit arrives, and then there is no failover. One at a time, the poll
   * after the one that straddles a kill needs a new connection, which a dead postmaster refuses.
   */
  private schedulePoll(): void {
    if (this.isStopping) return;
    this.poller = setTimeout(() => {
      void this.poll().finally(() => this.schedulePoll());
    }, 1_000);
  }

  /** Once a second: commits wait for the standby exactly while it streams. */
  private async poll(): Promise<void> {
    if (this.isStopping || this.isFailingOver || !this.primary) return;
    try {
      await this.onPrimary(async (client) => {
        const replication = await standbyReplication(client);
        const isStreaming = replication?.state === 'streaming';
        // A killed primary's own backends can answer for a moment after its walsender has gone,
        // before its exit reaches us: one such poll must not give up the synchronous standby the
        // failover needs. Two in a row (a second) is a standby that really stopped streaming.
        this.notStreamingPolls = !isStreaming && this.isSync ? this.notStreamingPolls + 1 : 0;
        if (this.notStreamingPolls === 1) return;
        if (isStreaming && replication.syncState !== 'sync') {
          await setSynchronousStandby(client, STANDBY_NAME);
          this.options.log('info', 'standby streaming: commits now wait for it (synchronous replication)');
        } else if (!isStreaming && this.isSync) {
          await setSynchronousStandby(client, '');
          this.options.log('warn', 'standby not streaming: commits no longer wait for it (one copy only) until it is back');
        }
        this.isSync = isStreaming && replication.syncState === 'sync';
        // 'streaming' (what the drill and /health read) only once this process also holds the
        // standby's server, which a failover promotes: it can stream before its start resolves
        const isBuilding = this.standby !== undefined || this.isSync || this.state.standby === 'building';
        this.saveState({ standby: this.isSync && this.standby ? 'streaming' : isBuilding ? 'building' : 'down', standbyPort: this.standbyPort });
      });
    } catch {
      // the primary is restarting or gone: onPrimaryExit decides
    }
  }

  private async onStandbyExit(standby: RunningCluster): Promise<void> {
    if (this.isStopping || this.standby !== standby || this.isFailingOver) return;
    this.standby = undefined;
    this.standbyPort = null;
    this.isSync = false;
    this.options.log('warn', 'the standby stopped: commits no longer wait for it; starting it again');
    await this.onPrimary((client) => setSynchronousStandby(client, '')).catch(() => undefined);
    this.saveState({ standby: 'down', standbyPort: null });
    await sleep(1_000);
    await this.startStandby();
  }

  /**
   * `work` on the server at `port`, tried up to `attempts` times a second apart: under load a
   * connection can time out, and a failover must not give up (and restart the tier) for one.
   */
  private async onServer<T>(port: number, step: string, work: (client: pg.Client) => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.onPrimary(work, port);
      } catch (error) {
        if (attempt >= attempts) throw error;
        this.options.log('warn', `failover: ${step} failed (${error instanceof Error ? error.message : String(error)}), attempt ${attempt} of ${attempts}: trying again`);
        await sleep(1_000);
      }
    }
  }

  private async onPrimaryExit(code: number | null): Promise<void> {
    if (this.isStopping) return;
    const standby = this.standby;
    const standbyPort = this.standbyPort;
    if (!standby || !standbyPort || !this.isSync) {
      const why = !standby || !standbyPort ? 'no standby running' : 'the standby was not in sync';
      this.options.onFatal(`PostgreSQL exited (code ${code ?? 'signal'}) with no standby to take over (${why})`);
      return;
    }
    this.isFailingOver = true;
    const startedAt = Date.now();
    const took = (): string => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
    // the endpoint is free from the primary's death until the promoted standby binds it: held
    // meanwhile, so nothing else on this machine (another instance choosing its default port)
    // takes it and leaves the promoted server nowhere to listen
    const endpoint = new PortReservations();
    if (!(await endpoint.hold(this.options.port))) this.options.log('warn', `failover: 127.0.0.1:${this.options.port} is taken by another program; the promoted standby cannot listen there until it is free`);
    this.options.log('warn', `the primary died (code ${code ?? 'signal'}): promoting the standby`);
    try {
      // fence: the old primary's postmaster is gone (this was its exit); its directory is never started again
      const fenced = `${this.primaryDir}.fenced-${Date.now()}`;
      const timeline = await this.onServer(standbyPort, 'promoting the standby', async (client) => {
        await promoteStandby(client);
        await setSynchronousStandby(client, '');
        return writeTimeline(client);
      });
      this.options.log('warn', `failover: the standby is promoted (timeline ${timeline}) after ${took()}; moving it to the endpoint`);
      this.standby = undefined;
      // a fast shutdown checkpoints; one that hangs (an archive command…) must not keep the shop down
      await standby.stop({ immediateAfterMs: 15_000 });
      renameSync(this.primaryDir, fenced);
      renameSync(this.standbyDir, this.primaryDir);
      // from here a restart of this tier starts the promoted cluster: the failover is counted
      this.isSync = false;
      this.saveState({ timeline, failovers: this.state.failovers + 1, lastFailoverAt: new Date().toISOString(), standby: 'down', standbyPort: null });
      await endpoint.releaseAll();
      await this.startPrimary();
      this.saveState({ timeline: await this.onServer(this.options.port, 'reading the timeline', (client) => currentTimeline(client)) });
      this.options.log('warn', `failover done in ${took()}: the former standby is the primary on 127.0.0.1:${this.options.port} (timeline ${this.state.timeline}); copying a new standby`);
      rmSync(fenced, { recursive: true, force: true });
    } catch (error) {
      this.options.onFatal(`failover failed after ${took()}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    } finally {
      await endpoint.releaseAll();
      this.isFailingOver = false;
    }
    await this.startStandby();
  }

  /** Stops both servers; `immediateAfterMs` bounds each fast shutdown (see RunningCluster.stop). */
  async stop(options: { immediateAfterMs?: number } = {}): Promise<void> {
    this.isStopping = true;
    if (this.poller) clearTimeout(this.poller);
    if (this.standbyRetry) clearTimeout(this.standbyRetry);
    await this.standby?.stop(options);
    await this.primary?.stop(options);
  }
}

/**
 * The standby's WAL archiving: the same archive command, told (PGBACKREST_PG1_PATH, which wins
 * over the config file's pg1-path) that this server's data directory is the standby's. A standby
 * archives nothing until it is promoted; then it archives the new timeline's history file before
 * it moves into `pg`, and pgBackRest refuses a server whose directory is not pg1-path.
 */
export function standbyArchiving(settings: Record<string, string>, standbyDir: string): Record<string, string> {
  const command = settings.archive_command;
  if (!command) return {};
  return { archive_command: `PGBACKREST_PG1_PATH=${shellQuote(standbyDir)} ${command}` };
}
