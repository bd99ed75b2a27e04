import type { Channel, SurveyField } from './survey-fields.js';
import type { RowRejection } from './validate-row.js';

/** What an upload did, shown to staff after the upload and kept with the upload record. */
export interface SurveyReport {
  uploadId: number | null;
  fileName: string;
  contentHash: string;
  /** True when the same file (by content) was imported before: nothing new was stored. */
  isDuplicate: boolean;
  uploadDate: string;
  headerRow: number;
  /** Header text → canonical field, for every column used. */
  columns: Array<{ header: string; field: SurveyField }>;
  /** Headers the survey does not use (kept out of the lake). */
  ignoredColumns: string[];
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  /** Every rejected row with its spreadsheet row number (first 1,000). */
  rejected: RowRejection[];
  channelCounts: Partial<Record<Channel, number>>;
  /** Lake-relative path of the Parquet file (null when nothing was stored). */
  parquetPath: string | null;
}

export const MAX_LISTED_REJECTIONS = 1000;

/** The Slack notice after an import: counts, first problems, top channels. */
export function surveyNoticeText(report: SurveyReport): string {
  const top = Object.entries(report.channelCounts)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .slice(0, 3)
    .map(([channel, count]) => `${channel} ${count}`)
    .join(', ');
  const problems = report.rejected
    .slice(0, 3)
    .map((rejection) => `row ${rejection.row}: ${rejection.reason}`)
    .join('; ');
  return (
    `:bar_chart: Survey "${report.fileName}" imported: ${report.rowsAccepted} of ${report.rowsTotal} answers accepted, ${report.rowsRejected} rejected` +
    `${problems ? ` (${problems}${report.rowsRejected > 3 ? '; …' : ''})` : ''}. Top channels: ${top || 'none'}.`
  );
}
