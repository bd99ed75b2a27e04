import multipart from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

import { AUDIT_ACTIONS } from '@threadline/db';
import { isLakeInputError, lakeFromConfig } from '@threadline/lake';
import { DEFAULT_SURVEY_LIMITS, importSurvey, listSurveyUploads, surveyNoticeText, type SurveyReport } from '@threadline/survey';
import { notifySlack } from '@threadline/ops';

import type { ApiApp } from '../api-app.js';
import { auditRequest } from '../audit/audit.js';
import type { ApiContext } from '../context.js';
import { currentUser, requireRole } from '../auth/session.js';
import { AppError } from '../errors.js';
import { errors } from '../http/common.schemas.js';

const MAX_SURVEY_BYTES = DEFAULT_SURVEY_LIMITS.maxBytes;

const Rejection = Type.Object({ row: Type.Integer(), field: Type.Union([Type.String(), Type.Null()]), reason: Type.String() });
const SurveyReportSchema = Type.Object({
  uploadId: Type.Union([Type.Integer(), Type.Null()]),
  fileName: Type.String(),
  contentHash: Type.String(),
  isDuplicate: Type.Boolean(),
  uploadDate: Type.String(),
  headerRow: Type.Integer(),
  columns: Type.Array(Type.Object({ header: Type.String(), field: Type.String() })),
  ignoredColumns: Type.Array(Type.String()),
  rowsTotal: Type.Integer(),
  rowsAccepted: Type.Integer(),
  rowsRejected: Type.Integer(),
  rejected: Type.Array(Rejection),
  channelCounts: Type.Record(Type.String(), Type.Integer()),
  parquetPath: Type.Union([Type.String(), Type.Null()]),
});

/** A 4xx body that also carries the row report (a file whose every row was rejected). */
const SurveyError = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()) }),
  report: Type.Optional(SurveyReportSchema),
});

/** The importer attaches its report to SURVEY_NO_VALID_ROWS; checked here because details are `unknown`. */
function isSurveyReport(value: unknown): value is SurveyReport {
  return typeof value === 'object' && value !== null && 'rejected' in value && Array.isArray(value.rejected) && 'rowsTotal' in value && typeof value.rowsTotal === 'number';
}

/** Survey spreadsheet upload (analysis 5.2) for admins: multipart field "file" (.xlsx or .csv). */
export async function surveyRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const adminOnly = requireRole('admin');

  app.get(
    '/api/admin/survey/uploads',
    {
      preValidation: adminOnly,
      schema: {
        tags: ['survey'],
        summary: 'Past survey uploads with their reports, newest first',
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.Integer(), createdAt: Type.String(), report: SurveyReportSchema })) }), ...errors(401, 403) },
      },
    },
    async () => ({
      items: (await listSurveyUploads(pool)).map((upload) => ({ id: upload.id, createdAt: upload.createdAt.toISOString(), report: { ...upload.report, uploadId: upload.id } })),
    }),
  );

  // multipart only in this scope: the rest of the API keeps its small JSON body limit
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: MAX_SURVEY_BYTES, files: 1, fields: 2, fieldSize: 1024, parts: 4 } });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/admin/survey/uploads',
      {
        config: { leavesCatalog: true },
        preValidation: adminOnly,
        bodyLimit: MAX_SURVEY_BYTES + 64 * 1024,
        schema: {
          tags: ['survey'],
          summary: 'Upload a survey spreadsheet (multipart field "file", .xlsx or .csv): parsed, validated per row, stored as Parquet; 201 with the report, 200 when the same file was imported before',
          consumes: ['multipart/form-data'],
          response: { 200: SurveyReportSchema, 201: SurveyReportSchema, 400: SurveyError, 401: SurveyError, 403: SurveyError, 413: SurveyError, 415: SurveyError, 422: SurveyError },
        },
      },
      async (request, reply) => {
        if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the spreadsheet as multipart/form-data in field "file"', 'file');
        let file: { name: string; bytes: Buffer } | undefined;
        for await (const part of request.parts()) {
          if (part.type !== 'file') continue;
          if (part.fieldname !== 'file') throw new AppError('VALIDATION_FAILED', 'the file field must be named "file"', part.fieldname);
          const bytes = await part.toBuffer();
          // @fastify/multipart truncates at the limit instead of failing when throwFileSizeLimit is off
          if (part.file.truncated) throw new AppError('SURVEY_TOO_LARGE', `the file is over the ${MAX_SURVEY_BYTES / 1024 / 1024} MB limit`, 'file');
          file = { name: part.filename || 'survey', bytes };
        }
        if (!file) throw new AppError('VALIDATION_FAILED', 'no file in field "file"', 'file');
        try {
          const report = await importSurvey({
            pool,
            dataDir: context.config.dataDir,
            lake: lakeFromConfig(context.config),
            fileName: file.name,
            bytes: file.bytes,
            timeZone: context.config.shopTimeZone,
            uploadedBy: currentUser(request).id,
          });
          await auditRequest(pool, request, {
            action: AUDIT_ACTIONS.SURVEY_UPLOADED,
            target: report.uploadId === null ? null : `survey_upload:${report.uploadId}`,
            details: { rowsAccepted: report.rowsAccepted, rowsRejected: report.rowsRejected, isDuplicate: report.isDuplicate, contentHash: report.contentHash },
          });
          if (!report.isDuplicate) {
            void notifySlack({ text: surveyNoticeText(report) }, { webhookUrl: context.config.slackWebhookUrl, logger: context.logger });
          }
          return reply.status(report.isDuplicate ? 200 : 201).send(report);
        } catch (error) {
          if (isLakeInputError(error) && error.code === 'SURVEY_NO_VALID_ROWS' && isSurveyReport(error.details)) {
            // the row report helps staff fix the file, so it travels with the error
            return reply.status(422).send({ error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) }, report: error.details });
          }
          throw error;
        }
      },
    );
  });
}
