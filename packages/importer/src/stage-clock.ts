/**
 * Seconds spent per stage of an import (parse, stage, write…), so a slow import says where its
 * time went: the benchmarks print it and the CLI can show it.
 *
 * @example
 * const clock = createStageClock();
 * parse(); clock.lap('parse');
 * await write(); clock.lap('write');
 * clock.stages // { parse: 0.41, write: 1.2 }
 */
export function createStageClock(): { lap: (stage: string) => void; stages: Record<string, number> } {
  const stages: Record<string, number> = {};
  let last = performance.now();
  return {
    stages,
    lap(stage) {
      const now = performance.now();
      stages[stage] = Math.round(((stages[stage] ?? 0) + (now - last) / 1000) * 1000) / 1000;
      last = now;
    },
  };
}
