import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LakeInputError } from '@threadline/lake';

import { DEFAULT_SURVEY_LIMITS, inspectSurveyFile } from './inspect-file.js';
import { measureArchive } from './measure-archive.js';
import { buildZip, lyingWorkbook } from './testing/zip.js';
import { generateSurvey } from './generate-survey.js';

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof LakeInputError, String(error));
    return error.code;
  }
  assert.fail('expected a refusal');
}

describe('measureArchive: real decompressed bytes, not declared sizes', () => {
  it('stops a sharedStrings.xml that declares 4 kB but inflates to 64 MB, which the declared-size check lets through', async () => {
    const bytes = lyingWorkbook();
    assert.ok(bytes.length < 1024 * 1024, `the bomb is small on the wire (${bytes.length} bytes)`);
    assert.equal(inspectSurveyFile('survey.xlsx', bytes), 'xlsx', 'the declared sizes look harmless');
    const before = process.memoryUsage().arrayBuffers;
    assert.equal(await refusal(measureArchive(bytes, DEFAULT_SURVEY_LIMITS)), 'SURVEY_ZIP_BOMB');
    assert.ok(process.memoryUsage().arrayBuffers - before < 32 * 1024 * 1024, 'never holds the inflated entry');
  });

  it('counts an honest archive and stops at the total limit while unpacking', async () => {
    const honest = buildZip([{ name: 'xl/workbook.xml', content: Buffer.alloc(3 * 1024 * 1024, 'x') }]);
    assert.equal(await refusal(measureArchive(honest, { ...DEFAULT_SURVEY_LIMITS, maxUncompressedBytes: 2 * 1024 * 1024, maxRatio: 1e6 })), 'SURVEY_ZIP_BOMB');
  });

  it('lets a real survey workbook through and reports what it inflates to', async () => {
    const survey = await generateSurvey({ rows: 50, seed: 1 });
    const { uncompressedBytes } = await measureArchive(survey.bytes, DEFAULT_SURVEY_LIMITS);
    assert.ok(uncompressedBytes > survey.bytes.length);
  });
});
