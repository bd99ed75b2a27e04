import { useEffect } from 'react';

import { useApi, type ApiState } from '../../../lib/use-api';

export interface SystemStatus {
  at: string;
  tiers: Array<{ tier: string; url: string; state: string; detail: string }>;
  monitoring: { prometheusUrl: string; isUp: boolean; alerts: Array<{ name: string; state: string; severity: string; summary: string; since: string }> };
  backup: {
    isConfigured: boolean;
    lastBackupAt: string | null;
    lastBackupLabel: string | null;
    lastBackupAgeHours: number | null;
    offsiteLastBackupAt: string | null;
    lastRun: { status: string; finishedAt: string; errors: string[] } | null;
    detail: string;
  };
  wal: { isArchiving: boolean; lastArchivedAt: string | null; lastFailedAt: string | null; failedCount: number } | null;
  database: { connections: number; maxConnections: number } | null;
  host: { cpuCores: number; load1: number; memoryUsedRatio: number; diskUsedRatio: number | null };
}

export interface SystemChart {
  key: string;
  title: string;
  unit: string;
  series: Array<{ name: string; points: Array<[number, number]> }>;
}

/** Live figures: refetched every 15 s while the page is open (the API caches for 10 s). */
export function useSystem(minutes: number): ApiState<{ status: SystemStatus; charts: SystemChart[] }> {
  const state = useApi<{ status: SystemStatus; charts: SystemChart[] }>(`/api/admin/system?minutes=${minutes}`);
  const { reload } = state;
  useEffect(() => {
    const timer = setInterval(reload, 15_000);
    return () => clearInterval(timer);
  }, [reload]);
  return state;
}
