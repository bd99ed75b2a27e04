import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { isClusterInitialised } from '@threadline/db';

/** What an earlier `threadline start` found done in this data directory. */
export interface StartState {
  /** The demo shop was loaded (app_meta 'seed' found) by or before that start. */
  isSeeded: boolean;
  recordedAt: string;
}

/** `<dataDir>/run/start-state.json`: a hint only; the launcher still checks the database once it is up. */
export function startStateFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'start-state.json');
}

export function readStartState(dataDir: string): StartState | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(startStateFile(dataDir), 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('isSeeded' in parsed) || typeof parsed.isSeeded !== 'boolean') return undefined;
    const recordedAt = 'recordedAt' in parsed && typeof parsed.recordedAt === 'string' ? parsed.recordedAt : '';
    return { isSeeded: parsed.isSeeded, recordedAt };
  } catch {
    return undefined; // missing or unreadable: the start takes the careful path
  }
}

export function recordStartState(dataDir: string, state: Omit<StartState, 'recordedAt'>): void {
  const file = startStateFile(dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify({ ...state, recordedAt: new Date().toISOString() })}\n`);
  renameSync(temporary, file);
}

export interface StartPlan {
  /** Start the API replicas and the web tier while PostgreSQL boots (they wait for it themselves). */
  isOverlapped: boolean;
  /** Why not, when not: the first-start work that must finish before any tier serves. */
  reason: string;
}

/**
 * Decides whether this start is a later start whose tiers may boot alongside PostgreSQL: the
 * cluster exists, the web pages are built and (when the demo shop is wanted) an earlier start
 * recorded it loaded. Otherwise the first-start work (initdb, seed, build) runs before any tier
 * starts, so nothing reports ready with a half-loaded shop.
 */
export function planStart(options: { dataDir: string; clusterDir?: string; wantsSeed: boolean; isWebBuildFresh: boolean }): StartPlan {
  if (options.clusterDir !== undefined && !isClusterInitialised(options.clusterDir)) return { isOverlapped: false, reason: 'no PostgreSQL cluster yet' };
  if (!options.isWebBuildFresh) return { isOverlapped: false, reason: 'the web pages need building' };
  if (options.wantsSeed && readStartState(options.dataDir)?.isSeeded !== true) return { isOverlapped: false, reason: 'the demo shop is not recorded as loaded' };
  if (!existsSync(options.dataDir)) return { isOverlapped: false, reason: 'no data directory yet' };
  return { isOverlapped: true, reason: '' };
}
