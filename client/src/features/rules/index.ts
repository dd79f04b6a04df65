/**
 * The rules feature's public face: the rule-editor link from a chain. RulesPage is not here: the shell
 * loads it lazily (app/optional-features.tsx), and a static re-export would pull it into the main bundle.
 */
export { chainToRule, ruleEditorUrl } from './chain-to-rule';
