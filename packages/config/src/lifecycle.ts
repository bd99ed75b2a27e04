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

/** IPC message types of the port handover between the launcher and a child that binds a held port. */
export const PORT_WANTED = 'port-wanted';
export const PORT_RELEASED = 'port-released';

/**
 * Asks the launcher (when there is one) to stop holding `port` and waits until it has, so this
 * process can bind it right away. The launcher holds the ports it chose from the moment it checked
 * them, so a second launcher starting at the same time cannot pick the same one. Without a launcher
 * (or one that does not answer within `timeoutMs`) it returns at once / after the wait.
 */
export async function claimPort(port: number, timeoutMs = 10_000): Promise<void> {
  const send = process.send?.bind(process);
  if (!send || !process.connected) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve();
    };
    const onMessage = (message: unknown): void => {
      if (typeof message === 'object' && message !== null && Reflect.get(message, 'type') === PORT_RELEASED && Reflect.get(message, 'port') === port) done();
    };
    const timer = setTimeout(done, timeoutMs);
    process.on('message', onMessage);
    send({ type: PORT_WANTED, port });
  });
}
