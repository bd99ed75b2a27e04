import { useRef, useState, type DragEvent } from 'react';

import { describeError } from '../../../lib/api';
import { label } from '../../../lib/labels';
import { SURVEY_ACCEPT, SURVEY_MAX_BYTES, uploadSurvey, useSurveyUploads, type SurveyReport } from './survey-api';

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

/** Checks name and size before sending; the server checks everything again. */
function precheck(file: File): string | null {
  if (!/\.(xlsx|csv)$/i.test(file.name)) return `"${file.name}" is not an .xlsx or .csv file.`;
  if (file.size > SURVEY_MAX_BYTES) return `"${file.name}" is ${(file.size / 1024 / 1024).toFixed(1)} MB; the limit is 20 MB.`;
  if (file.size === 0) return `"${file.name}" is empty.`;
  return null;
}

function Report({ report }: { report: SurveyReport }) {
  const channels = Object.entries(report.channelCounts).sort((a, b) => b[1] - a[1]);
  const total = report.rowsAccepted || 1;
  return (
    <section aria-labelledby="report-heading" className="card">
      <h2 id="report-heading">{report.isDuplicate ? 'Already imported' : 'Imported'}: {report.fileName}</h2>
      {report.isDuplicate ? (
        <p className="alert alert--success" role="status">This exact file was imported before (upload #{report.uploadId}); nothing was added twice.</p>
      ) : (
        <p className="alert alert--success" role="status">
          {report.rowsAccepted.toLocaleString('en-US')} of {report.rowsTotal.toLocaleString('en-US')} answers accepted
          {report.rowsRejected > 0 ? `, ${report.rowsRejected.toLocaleString('en-US')} rejected (listed below)` : ''}. They appear in the offline-advertising dashboard after its next refresh.
        </p>
      )}
      <p className="muted">
        Header found on row {report.headerRow}: {report.columns.map((column) => `“${column.header}” → ${column.field}`).join(', ')}
        {report.ignoredColumns.length > 0 ? `. Ignored: ${report.ignoredColumns.join(', ')}` : ''}.
      </p>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="Respondents per channel">
        <table className="table">
          <caption className="visually-hidden">Respondents per channel</caption>
          <thead><tr><th scope="col">Channel</th><th scope="col">Respondents</th><th scope="col">Share</th></tr></thead>
          <tbody>
            {channels.map(([channel, count]) => (
              <tr key={channel}><td>{label(channel)}</td><td>{count.toLocaleString('en-US')}</td><td>{((count / total) * 100).toFixed(1)}%</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.rejected.length > 0 && (
        <details open={report.rejected.length <= 20}>
          <summary>Rejected rows ({report.rowsRejected.toLocaleString('en-US')}) — fix them in the sheet and upload it again</summary>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Rejected rows">
            <table className="table">
              <thead><tr><th scope="col">Row</th><th scope="col">Column</th><th scope="col">Reason</th></tr></thead>
              <tbody>
                {report.rejected.map((rejection) => (
                  <tr key={rejection.row}><td>{rejection.row}</td><td>{rejection.field ?? ''}</td><td>{rejection.reason}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </section>
  );
}

/** Back office: upload the offline-advertising survey (analysis 5.2) by drag and drop or file picker. */
export default function SurveyUploadPage() {
  const input = useRef<HTMLInputElement>(null);
  const [isDragging, setIsDragging] = useState(false);
  const [isUploading, setIsUploading] = useState(false);
  const [report, setReport] = useState<SurveyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const uploads = useSurveyUploads();

  async function send(file: File | undefined): Promise<void> {
    if (!file) return;
    setReport(null);
    const problem = precheck(file);
    if (problem) {
      setError(problem);
      return;
    }
    setError(null);
    setIsUploading(true);
    try {
      setReport(await uploadSurvey(file));
      uploads.reload();
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setIsUploading(false);
      if (input.current) input.current.value = '';
    }
  }

  function onDrop(event: DragEvent<HTMLDivElement>): void {
    event.preventDefault();
    setIsDragging(false);
    void send(event.dataTransfer.files[0]);
  }

  return (
    <section aria-labelledby="survey-heading">
      <h1 id="survey-heading">Survey upload</h1>
      <p className="muted">
        Upload the “how did you hear about us?” survey as .xlsx or .csv (up to 20 MB). Headers in English or Korean are recognised
        (response date, age, gender, region, channel, comments); formulas, password-protected files and empty sheets are refused.
      </p>
      <div
        role="button"
        tabIndex={0}
        aria-describedby="survey-drop-help"
        aria-busy={isUploading}
        onClick={() => input.current?.click()}
        onKeyDown={(event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            input.current?.click();
          }
        }}
        onDragOver={(event) => {
          event.preventDefault();
          setIsDragging(true);
        }}
        onDragLeave={() => setIsDragging(false)}
        onDrop={onDrop}
        className="card"
        style={{ border: `2px dashed ${isDragging ? 'currentColor' : '#8a8a8a'}`, textAlign: 'center', padding: '2rem 1rem', cursor: 'pointer' }}
      >
        <p><strong>{isUploading ? 'Uploading and checking…' : 'Drop the survey file here'}</strong></p>
        <p id="survey-drop-help" className="muted">or press Enter / click to choose a file (.xlsx, .csv)</p>
        <input ref={input} type="file" accept={SURVEY_ACCEPT} hidden onChange={(event) => void send(event.target.files?.[0])} />
      </div>
      {error && <p className="alert alert--error" role="alert">{error}</p>}
      {report && <Report report={report} />}
      <h2>Past uploads</h2>
      {uploads.error !== undefined && <p className="alert alert--error" role="alert">{describeError(uploads.error)}</p>}
      {uploads.isLoading && !uploads.data ? <p className="muted">Loading…</p> : (
        <div className="table-wrap" tabIndex={0} role="region" aria-label="Past uploads">
          <table className="table">
            <thead><tr><th scope="col">When</th><th scope="col">File</th><th scope="col">Accepted</th><th scope="col">Rejected</th><th scope="col"><span className="visually-hidden">Report</span></th></tr></thead>
            <tbody>
              {(uploads.data?.items ?? []).map((upload) => (
                <tr key={upload.id}>
                  <td><time dateTime={upload.createdAt}>{dateFormat.format(new Date(upload.createdAt))}</time></td>
                  <td>{upload.report.fileName}</td>
                  <td>{upload.report.rowsAccepted.toLocaleString('en-US')}</td>
                  <td>{upload.report.rowsRejected.toLocaleString('en-US')}</td>
                  <td><button type="button" className="button button--small button--secondary" onClick={() => setReport({ ...upload.report, uploadId: upload.id })}>Show report</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          {uploads.data?.items.length === 0 && <p className="muted">No survey uploaded yet.</p>}
        </div>
      )}
    </section>
  );
}
