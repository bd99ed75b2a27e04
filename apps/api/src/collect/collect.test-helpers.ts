import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { createLogger, loadConfig, loadOrCreateSecrets } from '@threadline/config';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

import { buildApiApp, type ApiApp } from '../app.js';

export interface CollectHarness {
  app: ApiApp;
  dataDir: string;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A real API app on a throwaway database and data directory, with clickstream env overrides. */
export async function startCollectApp(env: Record<string, string> = {}, existing?: { dataDir: string; db: TestDatabase }): Promise<CollectHarness> {
  const dataDir = existing?.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'tl-collect-')));
  const db = existing?.db ?? (await createTestDatabase());
  const saved: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    saved[key] = process.env[key];
    process.env[key] = value;
  }
  const config = loadConfig({ ...process.env, THREADLINE_DATA_DIR: dataDir });
  const app = await buildApiApp({
    config,
    secrets: loadOrCreateSecrets(dataDir, {}),
    pool: db.pool,
    logger: createLogger({ name: 'test', level: 'warn' }),
    readinessChecks: [],
  });
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return {
    app,
    dataDir,
    db,
    async close() {
      await app.close();
      if (!existing) {
        await db.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A valid wire event; override any field. */
export function makeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    type: 'page_view',
    ts: new Date().toISOString(),
    visitorId: 'visitor_0001',
    sessionId: 'session_0001',
    path: '/products/linen-shirt?utm_source=newsletter&email=a@b.c',
    referrer: 'https://www.example.com/some/page?q=private',
    utm: { source: 'newsletter', medium: 'email', campaign: 'spring' },
    device: 'mobile',
    language: 'en-US',
    timeZone: 'America/Sao_Paulo',
    ...overrides,
  };
}
