export { buildWebApp, DIST_DIR, FORWARDED_PREFIXES, type WebContext } from './app.js';
export { runWeb } from './main.js';
