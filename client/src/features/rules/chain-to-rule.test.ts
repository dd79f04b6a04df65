import { describe, expect, it } from 'vitest';
import { chainToRule, ruleEditorUrl } from './chain-to-rule';
import { parseRules } from '../../../../server/src/rules/language/parse';
import { runItems, vectorItems } from '../../../../server/src/rules/vectors';
import type { VectorEvent } from '../../../../server/src/rules/model';

describe('chainToRule', () => {
  it('turns a selected path into a one-liner the server compiles to the same chain', () => {
    const text = chainToRule(['C:\\Windows\\System32\\cmd.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\PowerShell.exe', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE']);
    expect(text).toBe('cmd.exe -> powershell.exe -> winword.exe');
    const { rules, errors } = parseRules(text);
    expect(errors).toEqual([]);
    // It matches that chain and not the same images one generation further apart.
    const chain: VectorEvent[] = [{ g: 'A', img: '\\cmd.exe' }, { g: 'B', p: 'A', img: '\\powershell.exe' }, { g: 'C', p: 'B', img: '\\WINWORD.EXE' }];
    expect(runItems(rules, vectorItems(chain))).toHaveLength(1);
    const gap: VectorEvent[] = [chain[0]!, { g: 'X', p: 'A', img: '\\conhost.exe' }, { ...chain[1]!, p: 'X' }, chain[2]!];
    expect(runItems(rules, vectorItems(gap))).toHaveLength(0);
  });

  it('falls back to YAML for names the one-liner cannot carry', () => {
    const text = chainToRule(['C:\\Program Files\\My App\\my app.exe', 'C:\\x\\cmd.exe']);
    expect(text).toContain("Image|endswith: '\\my app.exe'");
    const { rules, errors } = parseRules(text);
    expect(errors).toEqual([]);
    expect(runItems(rules, vectorItems([{ g: 'A', img: 'C:\\Program Files\\My App\\My App.exe' }, { g: 'B', p: 'A', img: '\\cmd.exe' }]))).toHaveLength(1);
  });

  it('builds the editor URL', () => {
    expect(ruleEditorUrl(['a.exe', 'b.exe'])).toBe('/rules?rule=a.exe+-%3E+b.exe');
    expect(chainToRule([])).toBe('');
  });
});
