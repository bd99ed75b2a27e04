import { api } from '../../../lib/api';
import { useApi, type ApiState } from '../../../lib/use-api';

/** The import report POST /api/admin/survey/uploads answers with. */
export interface SurveyReport {
  uploadId: number | null;
  fileName: string;
  contentHash: string;
  isDuplicate: boolean;
  uploadDate: string;
  headerRow: number;
  columns: Array<{ header: string; field: string }>;
  ignoredColumns: string[];
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  rejected: Array<{ row: number; field: string | null; reason: string }>;
  channelCounts: Record<string, number>;
  parquetPath: string | null;
}

export interface SurveyUpload {
  id: number;
  createdAt: string;
  report: SurveyReport;
}

/** The same limits the API enforces, checked here first so a wrong file fails without a round trip. */
export const SURVEY_ACCEPT = '.xlsx,.csv';
export const SURVEY_MAX_BYTES = 20 * 1024 * 1024;

/** Uploads one spreadsheet as multipart field "file". */
export function uploadSurvey(file: File): Promise<SurveyReport> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api<SurveyReport>('/api/admin/survey/uploads', { method: 'POST', body: form });
}

/** Past uploads, newest first. */
export function useSurveyUploads(): ApiState<{ items: SurveyUpload[] }> {
  return useApi('/api/admin/survey/uploads');
}
