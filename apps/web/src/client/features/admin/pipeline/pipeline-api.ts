import { useEffect } from 'react';

import { useApi, type ApiState } from '../../../lib/use-api';

/** Shapes of /api/admin/pipeline/* and /api/admin/catalog/* (see docs/pipeline.md). */
export type RunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'abandoned';

export interface PipelineRun {
  id: number;
  trigger: string;
  status: RunStatus;
  dates: string[];
  currentStep: string | null;
  failedStep: string | null;
  error: string | null;
  rowsIn: number;
  rowsOut: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface PipelineStep {
  step: string;
  status: 'running' | 'succeeded' | 'failed' | 'skipped';
  attempts: number;
  rowsIn: number;
  rowsOut: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export interface QualityResult {
  dataset: string;
  name: string;
  type: string;
  severity: 'error' | 'warn';
  passed: boolean;
  observed: string | null;
  expected: string;
  badRows: Array<Record<string, unknown>>;
  phase: 'staging' | 'published';
}

export interface RunDetail {
  run: PipelineRun;
  steps: PipelineStep[];
  log: Array<{ at: string; step: string | null; message: string }>;
  quality: QualityResult[];
}

export interface CatalogColumn {
  name: string;
  type: string;
}

export interface CatalogTable {
  name: string;
  location: string;
  columns: CatalogColumn[];
  partitionKeys: string[];
  partitionCount: number;
  fileCount: number;
  rowCount: number;
  sizeBytes: number;
  schemaVersion: number;
  updatedAt: string;
}

export interface CatalogTableDetail extends CatalogTable {
  partitions: Array<{ path: string; fileCount: number; rowCount: number; sizeBytes: number; lastModified: string }>;
  schemaChanges: Array<{ change: string; column: string; oldType: string | null; newType: string | null; isBreaking: boolean; detectedAt: string }>;
}

export interface DataHealth {
  state: 'ok' | 'never_run' | 'running' | 'failed' | 'stale';
  message: string | null;
  lastRunId: number | null;
  lastSuccessAt: string | null;
}

export const isActive = (run: PipelineRun | undefined): boolean => run?.status === 'queued' || run?.status === 'running';

/** Reloads every `ms` while `isOn`: live progress of a queued or running run. */
export function usePolling(reload: () => void, isOn: boolean, ms = 2000): void {
  useEffect(() => {
    if (!isOn) return;
    const timer = setInterval(reload, ms);
    return () => clearInterval(timer);
  }, [reload, isOn, ms]);
}

export function useRuns(): ApiState<{ items: PipelineRun[] }> {
  const state = useApi<{ items: PipelineRun[] }>('/api/admin/pipeline/runs?limit=30');
  usePolling(state.reload, (state.data?.items ?? []).some(isActive));
  return state;
}

export function useRun(id: number | null): ApiState<RunDetail> {
  const state = useApi<RunDetail>(id === null ? null : `/api/admin/pipeline/runs/${id}`);
  usePolling(state.reload, isActive(state.data?.run));
  return state;
}

/** Why dashboards' data is missing or stale (also for the marketing role). */
export function useDataHealth(): ApiState<DataHealth> {
  return useApi<DataHealth>('/api/insights/pipeline');
}
