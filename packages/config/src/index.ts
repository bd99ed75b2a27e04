export { loadConfig, type Config, type ClickstreamConfig, type PipelineConfig } from './config.js';
export { dataDirLayout, type DataDirLayout } from './layout.js';
export { VARIABLES, variable, type VariableSpec, type VariableKind } from './variables.js';
export { describeConfig, configTable, type ConfigLine } from './describe.js';
export { loadOrCreateSecrets, type Secrets } from './secrets.js';
export { ConfigError } from './errors.js';
export { createLogger, type Logger } from './logger.js';
export { onShutdown, signalReady } from './lifecycle.js';
export { readRecordedPorts, recordPorts, PORTS_FILE, type RecordedPorts } from './ports.js';
