// The edge settings are a section of the one configuration tree (`config.edge`, read by
// `loadConfig` in packages/config); this package receives them and never reads the environment.
export { WAF_MODES, type EdgeConfig, type WafMode, type WafSettings, type RateLimitSettings, type TlsSettings } from '@threadline/config';
