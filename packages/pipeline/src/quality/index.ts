export { compileRule, ruleName, type QualityRule, type RuleSeverity, type RuleType, type CompiledRule } from './rules.js';
export { checkDataset, isGatePassed, type RuleResult } from './check.js';
export { runQualityGate, type GateDataset, type GateInput } from './gate.js';
