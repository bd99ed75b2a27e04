/**
 * Legacy CSV import throughput (issue 15): a flat order-line export of the shape of a widely used
 * public retail dataset (orders, customers and products in one file, line totals with 4
 * decimals), imported with only its mapping file: parse → COPY into staging → set-based upserts.
 * Measured twice: into an empty shop (everything created) and again (everything updated); then a
 * customers export, a products export (four variants a product) and a reviews export of the
 * imported order lines, each of the same size. Every result carries its seconds per stage.
 * Goal ≥ 20,000 rows/s. `BENCH_ROWS` sets the size (default 100,000 lines).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createPool, migrate } from '@threadline/db';
import { startTestCluster } from '@threadline/db/testing';
import { importLegacyFile, loadMapping } from '@threadline/importer';
import { generateSuperstoreExport, writeSuperstoreCsv } from '@threadline/importer/testing';

import { writeBenchResult } from './lib/results.js';

const rows = Number(process.env.BENCH_ROWS ?? 100_000);
const MAPPING = fileURLToPath(new URL('../examples/superstore/orders.map.json', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'bench-legacy-'));
const cluster = await startTestCluster();
const pool = createPool(cluster.url, { max: 2 });
try {
  await migrate(pool);
  const file = path.join(dir, 'orders.csv');
  // about three lines per order
  const generated = generateSuperstoreExport({ orders: Math.max(20, Math.round(rows / 3)) });
  await writeSuperstoreCsv(file, generated.lines);
  console.log(`importing ${generated.lines.length.toLocaleString('en-US')} order lines…`);
  const mapping = loadMapping(MAPPING);
  const options = {
    entity: 'orders' as const,
    file,
    mapping,
    rules: { dateFormat: mapping.dateFormat, timeZone: mapping.timeZone ?? 'America/New_York', currency: 'USD', values: mapping.values ?? {}, defaults: mapping.defaults ?? {} },
    isDryRun: false,
    // the generated file carries rejected orders on purpose (mixed customers, a bad line)
    skipBadRows: true,
  };
  const results = [];
  for (const name of ['import-new', 'reimport-update'] as const) {
    const started = performance.now();
    const report = await importLegacyFile(pool, options);
    const seconds = (performance.now() - started) / 1000;
    if (!report.isCommitted) throw new Error(`${name}: nothing written (${report.rejected.length} rejected)`);
    results.push({
      name,
      rows: report.rowsRead,
      orders: report.created + report.updated,
      rejected: report.rejected.length,
      warnings: report.warnings.length,
      seconds: Math.round(seconds * 100) / 100,
      rowsPerSecond: Math.round(report.rowsRead / seconds),
      stages: report.stages,
    });
  }
  const customers = path.join(dir, 'customers.csv');
  const lines = ['legacy_id,email,name,country,customer_segment,created_at'];
  for (let index = 0; index < rows; index += 1) {
    lines.push(`X-${index},${index % 2 === 0 ? `c${index}@example.com` : ''},Customer ${index},${index % 3 === 0 ? 'Canada' : 'US'},Consumer,2019-0${1 + (index % 9)}-1${index % 10}`);
  }
  writeFileSync(customers, `${lines.join('\n')}\n`);
  const started = performance.now();
  const report = await importLegacyFile(pool, {
    entity: 'customers',
    file: customers,
    mapping: { columns: {} },
    rules: { dateFormat: 'iso', timeZone: 'America/New_York', currency: 'USD', values: {} },
    isDryRun: false,
    skipBadRows: false,
  });
  const seconds = (performance.now() - started) / 1000;
  if (!report.isCommitted) throw new Error(`customers: nothing written (${report.rejected.length} rejected)`);
  results.push({ name: 'customers-new', rows: report.rowsRead, created: report.created, seconds: Math.round(seconds * 100) / 100, rowsPerSecond: Math.round(report.rowsRead / seconds), stages: report.stages });

  const productsFile = path.join(dir, 'products.csv');
  const productLines = ['legacy_id,name,category,description,price,sku,size,colour,stock'];
  const sizes = ['S', 'M', 'L', 'XL'];
  for (let index = 0; index < rows; index += 1) {
    const product = Math.floor(index / sizes.length);
    const size = sizes[index % sizes.length]!;
    productLines.push(`BP-${product},"Bench product ${product}",Category ${product % 40},"Made for the bench",${(10 + (product % 90)).toFixed(2)},BP-${product}-${size},${size},Default,${index % 50}`);
  }
  writeFileSync(productsFile, `${productLines.join('\n')}\n`);
  const reviewsFile = path.join(dir, 'reviews.csv');
  const reviewLines = ['legacy_id,order_legacy_id,product_legacy_id,rating,title'];
  const reviewed = new Set<string>();
  for (const line of generated.lines) {
    const key = `${line['Order ID']}|${line['Product ID']}`;
    if (reviewed.has(key) || reviewLines.length > rows) continue;
    reviewed.add(key);
    reviewLines.push(`RV-${reviewLines.length},${line['Order ID']},${line['Product ID']},${1 + (reviewLines.length % 5)},Review ${reviewLines.length}`);
  }
  writeFileSync(reviewsFile, `${reviewLines.join('\n')}\n`);
  for (const [name, entity, input] of [['products-new', 'products', productsFile], ['products-update', 'products', productsFile], ['reviews-new', 'reviews', reviewsFile]] as const) {
    const begun = performance.now();
    const imported = await importLegacyFile(pool, {
      entity,
      file: input,
      mapping: { columns: {} },
      rules: { dateFormat: 'iso', timeZone: 'America/New_York', currency: 'USD', values: {} },
      isDryRun: false,
      // reviews of orders the generated file rejects on purpose cannot be placed
      skipBadRows: entity === 'reviews',
    });
    const took = (performance.now() - begun) / 1000;
    if (!imported.isCommitted) throw new Error(`${name}: nothing written (${imported.rejected.length} rejected: ${imported.rejected[0]?.reason ?? ''})`);
    results.push({
      name,
      rows: imported.rowsRead,
      created: imported.created,
      updated: imported.updated,
      rejected: imported.rejected.length,
      seconds: Math.round(took * 100) / 100,
      rowsPerSecond: Math.round(imported.rowsRead / took),
      stages: imported.stages,
    });
  }
  writeBenchResult(
    'legacy-import',
    { 'import-new.rowsPerSecond': '>= 20000', 'reimport-update.rowsPerSecond': '>= 20000', 'customers-new.rowsPerSecond': '>= 20000', 'products-new.rowsPerSecond': '>= 20000', 'products-update.rowsPerSecond': '>= 20000', 'reviews-new.rowsPerSecond': '>= 20000' },
    results,
  );
} finally {
  await pool.end();
  await cluster.destroy();
  rmSync(dir, { recursive: true, force: true });
}
