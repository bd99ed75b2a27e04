export { loadConfig, type Config } from './config.js';
export { loadOrCreateSecrets, type Secrets } from './secrets.js';
export { ConfigError } from './errors.js';
export { createLogger, type Logger } from './logger.js';
export { onShutdown, signalReady } from './lifecycle.js';
export { readRecordedPorts, recordPorts, PORTS_FILE, type RecordedPorts } from './ports.js';
