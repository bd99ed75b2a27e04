// Container health check (Dockerfile HEALTHCHECK and the ECS task definitions): asks the tier's
// own /healthz on loopback. Node's fetch, because the slim image has no curl or wget.
/** @type {Record<string, [string, number] | undefined>} */
const PORTS = {
  web: ['PORT', 8080],
  api: ['THREADLINE_API_PORT', 8081],
  worker: ['THREADLINE_WORKER_PORT', 8082],
};

const tier = process.env.THREADLINE_TIER ?? '';
const entry = PORTS[tier];
if (!entry) {
  console.error(`healthcheck: THREADLINE_TIER must be web, api or worker (got "${tier}")`);
  process.exit(2);
}
const [portEnv, defaultPort] = entry;
const port = Number(process.env[portEnv] || defaultPort);
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  if (!response.ok) {
    console.error(`healthcheck: ${tier} /healthz answered ${response.status}`);
    process.exit(1);
  }
} catch (error) {
  console.error(`healthcheck: ${tier} on port ${port} does not answer: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
