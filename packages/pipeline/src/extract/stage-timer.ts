/** One timed part of the extract step: a COPY of one table, a join, a Parquet write. */
export interface ExtractStage {
  /** What ran, e.g. `copy orders`, `join product_day`, `write sales`. */
  name: string;
  /** Wall-clock seconds of that part (parts on parallel connections overlap). */
  seconds: number;
  /** When the part first started, seconds after the step began (the critical path shows in these). */
  startSeconds: number;
  /** When the part last ended, seconds after the step began. */
  endSeconds: number;
}

/**
 * Collects the per-stage breakdown of the extract step, so a slow night shows where the time went.
 * Stages timed more than once (a table copied in id batches) add up under one name; their start is
 * the first start and their end the last end.
 */
export class StageTimer {
  readonly #origin = performance.now();
  readonly #stages = new Map<string, { seconds: number; start: number; end: number }>();

  /** Adds the part of stage `name` that ran from `start` to `end` (`performance.now()` values). */
  add(name: string, start: number, end: number): void {
    const stage = this.#stages.get(name);
    if (!stage) {
      this.#stages.set(name, { seconds: (end - start) / 1000, start, end });
      return;
    }
    stage.seconds += (end - start) / 1000;
    stage.start = Math.min(stage.start, start);
    stage.end = Math.max(stage.end, end);
  }

  /** Runs `fn` and adds its wall-clock time (also when it throws) to the stage `name`. */
  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, started, performance.now());
    }
  }

  /** The stages in the order they were first timed, seconds rounded to milliseconds. */
  stages(): ExtractStage[] {
    const round = (value: number): number => Math.round(value * 1000) / 1000;
    return [...this.#stages].map(([name, stage]) => ({
      name,
      seconds: round(stage.seconds),
      startSeconds: round((stage.start - this.#origin) / 1000),
      endSeconds: round((stage.end - this.#origin) / 1000),
    }));
  }
}
