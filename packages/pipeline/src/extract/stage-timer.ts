/** One timed part of the extract step: a COPY of one table, a join, a Parquet write. */
export interface ExtractStage {
  /** What ran, e.g. `copy orders`, `join product_day`, `write sales`. */
  name: string;
  /** Wall-clock seconds of that part (parts on parallel connections overlap). */
  seconds: number;
}

/**
 * Collects the per-stage breakdown of the extract step, so a slow night shows where the time went.
 * Stages timed more than once (a table copied in id batches) add up under one name.
 */
export class StageTimer {
  readonly #seconds = new Map<string, number>();

  /** Adds `seconds` to the stage `name`. */
  add(name: string, seconds: number): void {
    this.#seconds.set(name, (this.#seconds.get(name) ?? 0) + seconds);
  }

  /** Runs `fn` and adds its wall-clock time (also when it throws) to the stage `name`. */
  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.add(name, (performance.now() - started) / 1000);
    }
  }

  /** The stages in the order they were first timed, seconds rounded to milliseconds. */
  stages(): ExtractStage[] {
    return [...this.#seconds].map(([name, seconds]) => ({ name, seconds: Math.round(seconds * 1000) / 1000 }));
  }
}
