// Programmatic API: collect → snapshot → diagnose → remedies, and the offline error reader.
export type * from './model.js';
export { collectSnapshot, type CollectOptions } from './collect/index.js';
export { nodeHostIO, type HostIO } from './collect/host-io.js';
export { diagnose, exitCodeOf, resolveSubject, engineLine } from './diagnose.js';
export { explain, explainOne, primary, type Explanation, type ExplainResult } from './explain/explain.js';
export { STAGES, type Stage } from './explain/stages.js';
export { symptomFrom } from './symptom.js';
export { planRemedies } from './remedy/plan.js';
export { loadSnapshot, saveSnapshot, parseSnapshot } from './snapshot/io.js';
export { redactSnapshot } from './snapshot/redact.js';
export { rules } from './rules/index.js';
