// The stage vocabulary lives in src/model.ts (a Symptom carries one); re-exported for explain's modules.
export { STAGES, type Stage } from '../model.js';
