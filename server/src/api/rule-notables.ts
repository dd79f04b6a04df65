/** Moved to the services layer: server/src/services/rule-notables.ts (this pointer keeps api/app.ts's import until the composition root imports it there). */
export { RuleNotables } from '../services/rule-notables.js';
