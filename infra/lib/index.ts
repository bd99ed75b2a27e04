export { buildApp, type ThreadlineApp } from './app.js';
export { readCdkJsonContext, readSettings, type Settings } from './settings.js';
export { estimateCost, loadPricing, synthesizeTemplates, type CfnTemplate, type CostEstimate, type CostLine, type Pricing } from './cost.js';
