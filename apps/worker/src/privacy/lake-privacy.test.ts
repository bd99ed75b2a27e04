/**
 * Privacy proof for the lake (issue 9): after the nightly pipeline has run over a shop whose
 * customers have distinctive names and e-mail addresses, and after clickstream events carrying
 * those addresses (as user id, in URLs and referrers) went through /collect and the flusher,
 * no file anywhere under the lake directory contains an e-mail address or a customer name.
 * Parquet files are read back through DuckDB (their pages are compressed, so a byte search alone
 * could miss text); every other file is searched as text.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { buildApiApp } from '@threadline/api';
import { createLogger, loadConfig } from '@threadline/config';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { ClickstreamFlusher, SpoolSource, loadClickstreamSettings } from '@threadline/clickstream';
import { LocalLakeStorage, lakeRoot, walkFiles, withDuckDb } from '@threadline/lake';
import { loadPipelineSettings, runPipeline } from '@threadline/pipeline';
import { seedShop } from '@threadline/pipeline/testing';

const ZONE = 'America/New_York';
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/;

describe('no personal data reaches the lake', { timeout: 300_000 }, () => {
  let db: TestDatabase;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tl-privacy-'));
  let emails: string[] = [];
  let names: string[] = [];

  before(async () => {
    db = await createTestDatabase();
    await seedShop(db.pool, { users: 30, products: 6, orders: 120, lastDate: '2026-11-20', days: 3, timeZone: ZONE });
    // distinctive values: a hit in the lake cannot be a coincidence
    await db.pool.query("UPDATE users SET email = 'zq' || id || '.privacy@check-mail.test', name = 'Zelda Quackenbush-' || id WHERE role = 'customer'");
    const { rows } = await db.pool.query<{ email: string; name: string }>("SELECT email, name FROM users WHERE role = 'customer'");
    emails = rows.map((row) => row.email);
    names = rows.map((row) => row.name);

    const summary = await runPipeline(
      {
        pool: db.pool,
        dataDir,
        timeZone: ZONE,
        pseudonymKey: 'privacy-test-key',
        slackWebhookUrl: undefined,
        logger: createLogger({ name: 'privacy-test', level: 'silent' }),
        settings: { ...loadPipelineSettings({}), backoffMs: 10, retries: 0 },
        now: () => new Date('2026-11-21T12:00:00Z'),
        refreshers: [],
      },
      { trigger: 'manual', dates: ['2026-11-18', '2026-11-19', '2026-11-20'] },
    );
    assert.equal(summary.status, 'succeeded', summary.error ?? '');

    const config = loadConfig({ THREADLINE_DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
    const api = await buildApiApp({
      config,
      secrets: { sessionSecret: 's', pseudonymKey: 'privacy-test-key', paymentWebhookSecret: 'w', pgPassword: '' },
      pool: db.pool,
      logger: createLogger({ name: 'privacy-api', level: 'silent' }),
      readinessChecks: [],
    });
    const events = emails.slice(0, 10).map((email, index) => ({
      id: randomUUID(),
      type: 'page_view',
      ts: new Date().toISOString(),
      visitorId: `visitor_${index}`,
      sessionId: `session_${index}`,
      userId: email,
      path: `/account?email=${encodeURIComponent(email)}&name=${encodeURIComponent(names[index] ?? '')}`,
      referrer: `https://mail.example.com/inbox?to=${encodeURIComponent(email)}`,
      device: 'desktop',
      language: 'en-US',
      timeZone: ZONE,
    }));
    const response = await api.inject({ method: 'POST', url: '/collect', payload: { events }, headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/127.0' } });
    assert.equal(response.statusCode, 202, response.body);
    await api.close();
    const settings = loadClickstreamSettings(dataDir, {});
    const flusher = new ClickstreamFlusher({ source: new SpoolSource(settings.spoolDir), storage: new LocalLakeStorage(lakeRoot(dataDir)), stateDir: settings.flusherStateDir });
    try {
      await flusher.recover();
      const flushed = (await flusher.drain()).reduce((sum, result) => sum + result.events, 0);
      assert.equal(flushed, events.length);
    } finally {
      flusher.close();
    }
  });

  after(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('scans every lake file: no e-mail address, no customer name', async () => {
    const files = await walkFiles(lakeRoot(dataDir));
    const parquet = files.filter((file) => file.endsWith('.parquet'));
    assert.ok(parquet.some((file) => file.includes(`${path.sep}curated${path.sep}sales${path.sep}`)), 'the pipeline wrote sales');
    assert.ok(parquet.some((file) => file.includes('clickstream')), 'the flusher wrote clickstream events');
    const leaks: string[] = [];
    for (const file of files) {
      let text: string;
      if (file.endsWith('.parquet')) {
        const rows = await withDuckDb((duck) => duck.all('SELECT * FROM read_parquet(?)', [file]));
        text = JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value));
        text += readFileSync(file).toString('latin1');
      } else {
        text = readFileSync(file).toString('utf8');
      }
      text += file;
      const email = EMAIL.exec(text);
      if (email) leaks.push(`${path.relative(dataDir, file)}: e-mail ${email[0]}`);
      if (text.includes('Quackenbush')) leaks.push(`${path.relative(dataDir, file)}: a customer name`);
      if (emails.some((address) => text.includes(address.split('@')[0] ?? address))) leaks.push(`${path.relative(dataDir, file)}: an e-mail local part`);
    }
    console.log(`scanned ${files.length} lake files (${parquet.length} Parquet)`);
    assert.deepEqual(leaks, []);
  });
});
