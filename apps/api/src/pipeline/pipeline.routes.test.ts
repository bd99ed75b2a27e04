import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { generateSurvey } from '@threadline/survey';

import { createHarness, errorOf, json, signedInClient, type Client, type Harness } from '../testing/harness.js';

let harness: Harness;
let admin: Client;
let customer: Client;

/** A multipart body with one file field, built by hand so the test controls every byte. */
function multipart(file: Buffer, filename: string): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----threadline-survey-test';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

before(async () => {
  harness = await createHarness();
  admin = (await signedInClient(harness, 'admin')).client;
  customer = (await signedInClient(harness, 'customer')).client;
});

after(() => harness.close());

describe('pipeline, query and survey admin API', () => {
  it('only admins reach the pipeline, query and survey endpoints', async () => {
    assert.equal((await customer.get('/api/admin/pipeline/status')).statusCode, 403);
    assert.equal((await customer.post('/api/admin/query', { sql: 'SELECT 1' })).statusCode, 403);
    const { payload, headers } = multipart(Buffer.from('a,b\n'), 's.csv');
    assert.equal((await customer.post('/api/admin/survey/uploads', undefined, { payload, headers })).statusCode, 403);
  });

  it('uploads a survey: 201 with the row report, 200 for the same file again, and the answers are queryable', async () => {
    const survey = await generateSurvey({ rows: 150, badRows: 3, seed: 3 });
    const { payload, headers } = multipart(survey.bytes, survey.fileName);
    const first = await admin.post('/api/admin/survey/uploads', undefined, { payload, headers });
    assert.equal(first.statusCode, 201, first.body);
    const report = json<{ rowsAccepted: number; rejected: Array<{ row: number }>; isDuplicate: boolean }>(first);
    assert.equal(report.rowsAccepted, survey.expected.rowsAccepted);
    assert.deepEqual(report.rejected.map((rejection) => rejection.row), survey.expected.rejectedRows);
    const again = await admin.post('/api/admin/survey/uploads', undefined, { payload, headers });
    assert.equal(again.statusCode, 200);
    assert.equal(json<{ isDuplicate: boolean }>(again).isDuplicate, true);

    const query = await admin.post('/api/admin/query', { sql: 'SELECT count(*) AS n FROM survey_responses' });
    assert.equal(query.statusCode, 200, query.body);
    assert.deepEqual(json<{ rows: unknown[] }>(query).rows, [{ n: survey.expected.rowsAccepted }]);
    const csv = await admin.post('/api/admin/query/csv', { sql: "SELECT channel, count(*) AS n FROM survey_responses WHERE channel = 'tv' GROUP BY channel" });
    assert.equal(csv.statusCode, 200);
    assert.equal(csv.body, `channel,n\ntv,${survey.expected.channelCounts.tv}\n`);
    const list = await admin.get('/api/admin/survey/uploads');
    assert.equal(json<{ items: unknown[] }>(list).items.length, 1);
  });

  it('a bad file is a clear 4xx naming the problem', async () => {
    const wrong = multipart(Buffer.from('%PDF-1.7'), 'survey.pdf');
    const response = await admin.post('/api/admin/survey/uploads', undefined, wrong);
    assert.equal(response.statusCode, 415);
    assert.equal(errorOf(response).code, 'SURVEY_WRONG_EXTENSION');
    assert.equal(errorOf(response).field, 'file');
    const allBad = multipart(Buffer.from('Date,Channel\nnope,TV\n'), 'bad.csv');
    const rejected = await admin.post('/api/admin/survey/uploads', undefined, allBad);
    assert.equal(rejected.statusCode, 422);
    assert.deepEqual(json<{ report: { rejected: Array<{ row: number; field: string }> } }>(rejected).report.rejected.map((item) => [item.row, item.field]), [[2, 'response_date']]);
  });

  it('refuses writes, file access and extension loading over the lake with 4xx', async () => {
    const cases: Array<[string, number, string]> = [
      ["COPY (SELECT 1) TO '/tmp/x.csv'", 403, 'QUERY_NOT_READ_ONLY'],
      ['CREATE TABLE t AS SELECT 1', 403, 'QUERY_NOT_READ_ONLY'],
      ['INSTALL httpfs', 403, 'QUERY_NOT_READ_ONLY'],
      ["SELECT * FROM read_csv('answers.csv')", 403, 'QUERY_FORBIDDEN'],
      ['SELECT 1; SELECT 2', 400, 'QUERY_MULTIPLE_STATEMENTS'],
      ['SELEC nonsense', 400, 'QUERY_INVALID'],
    ];
    for (const [sql, status, code] of cases) {
      const response = await admin.post('/api/admin/query', { sql });
      assert.equal(response.statusCode, status, `${sql}: ${response.body}`);
      assert.equal(errorOf(response).code, code, sql);
      assert.equal(errorOf(response).field, 'sql');
    }
    // a system file path is refused at the edge already (the WAF's file-access rules stay on here)
    const passwd = await admin.post('/api/admin/query', { sql: "SELECT * FROM read_csv('/etc/passwd')" });
    assert.equal(passwd.statusCode, 403);
  });

  it('queues a run now and shows it in status and history; a second queue request is a 409', async () => {
    const queued = await admin.post('/api/admin/pipeline/runs', { date: '2026-11-20' });
    assert.equal(queued.statusCode, 202, queued.body);
    const run = json<{ id: number; status: string; dates: string[] }>(queued);
    assert.equal(run.status, 'queued');
    assert.deepEqual(run.dates, ['2026-11-20']);
    const busy = await admin.post('/api/admin/pipeline/runs', {});
    assert.equal(busy.statusCode, 409);
    assert.equal(errorOf(busy).code, 'PIPELINE_BUSY');
    const status = json<{ run: { id: number } }>(await admin.get('/api/admin/pipeline/status'));
    assert.equal(status.run.id, run.id);
    const detail = await admin.get(`/api/admin/pipeline/runs/${run.id}`);
    assert.equal(detail.statusCode, 200);
    assert.equal((await admin.get('/api/admin/pipeline/runs/999999')).statusCode, 404);
    const bad = await admin.post('/api/admin/pipeline/runs', { from: '2026-11-20', to: '2026-11-01' });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).field, 'from');
  });
});
