import path from 'node:path';

/**
 * Where everything lives under the data directory — spelled out once. Code asks
 * `config.paths.<place>` instead of joining names onto the data directory itself.
 *
 * ```
 * <data dir>/
 *   secrets.json        generated secrets (mode 0600)
 *   pg/                 the embedded PostgreSQL cluster
 *   spool/clickstream/  /collect's durable spool; dead-letter/, flusher/ (delivery state)
 *   lake/               raw/, staging/, curated/ (Parquet, Hive keys) unless the lake is on S3
 *   uploads/            product images, survey originals
 *   backups/            pgBackRest repositories; restores/ holds restore targets
 *   ops/                Prometheus and Alertmanager state
 *   run/                sockets and pid files
 *   tmp/                files being built before they move into the lake
 * ```
 */
export interface DataDirLayout {
  root: string;
  secrets: string;
  pg: string;
  spool: string;
  clickstreamSpool: string;
  deadLetter: string;
  deliveryState: string;
  lake: string;
  uploads: string;
  images: string;
  surveyUploads: string;
  backups: string;
  restores: string;
  ops: string;
  run: string;
  tmp: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const root = path.resolve(dataDir);
  const spool = path.join(root, 'spool');
  const uploads = path.join(root, 'uploads');
  const backups = path.join(root, 'backups');
  return {
    root,
    secrets: path.join(root, 'secrets.json'),
    pg: path.join(root, 'pg'),
    spool,
    clickstreamSpool: path.join(spool, 'clickstream'),
    deadLetter: path.join(spool, 'dead-letter'),
    deliveryState: path.join(spool, 'flusher'),
    lake: path.join(root, 'lake'),
    uploads,
    images: path.join(uploads, 'images'),
    surveyUploads: path.join(uploads, 'survey'),
    backups,
    restores: path.join(root, 'restores'),
    ops: path.join(root, 'ops'),
    run: path.join(root, 'run'),
    tmp: path.join(root, 'tmp'),
  };
}
