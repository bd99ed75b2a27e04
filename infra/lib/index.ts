export { buildApp, type ThreadlineApp } from './app.js';
export { readCdkJsonContext, readSettings, type Settings } from './settings.js';
