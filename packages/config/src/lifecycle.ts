/**
 * Runs `stop` once when the process is asked to end: SIGINT (Ctrl-C), SIGTERM (orchestrator), or
 * the launcher that spawned us going away (IPC channel closed) so no tier outlives its launcher.
 */
export function onShutdown(stop: (reason: string) => Promise<void>, options: { graceMs?: number } = {}): void {
  let isStopping = false;
  const handle = (reason: string): void => {
    if (isStopping) return;
    isStopping = true;
    const timer = setTimeout(() => process.exit(1), options.graceMs ?? 10_000);
    timer.unref();
    stop(reason).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => handle('SIGINT'));
  process.once('SIGTERM', () => handle('SIGTERM'));
  if (process.send) process.once('disconnect', () => handle('launcher gone'));
}

/** Tells the launcher (when there is one) that this tier is ready. */
export function signalReady(details: Record<string, unknown> = {}): void {
  process.send?.({ type: 'ready', ...details });
}
