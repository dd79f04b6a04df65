/**
 * The stylesheet as Cytoscape resolves it (headless instance, styles enabled): the rare marker (prevalence,
 * docs/ui.md) wins over the process-kind and structure borders, and no rule is a per-element function.
 * Expected values are the documented ones (an orange #e36209 double border, 6 px), not read from the code.
 */
import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { graphStyles } from './graph-styles';
import { applyMarks } from './cy-updates';

const KINDS = ['shell', 'script', 'office', 'browser', 'lolbin', 'system', 'other'];
const STRUCTURE = ['', 'expandable', 'collapsed expandable', 'terminated', 'placeholder', 'loading', 'origin'];
const ORANGE = 'rgb(227,98,9)';

function instance(theme: 'dark' | 'light') {
  const elements = KINDS.flatMap((k) => STRUCTURE.map((s, i) => ({
    group: 'nodes' as const, data: { id: `${k}-${i}`, label: `${k}.exe\npid 1`, name: `${k}.exe` }, classes: `process k-${k} ${s}`,
  })));
  return cytoscape({ headless: true, styleEnabled: true, style: graphStyles(theme) as never, elements });
}
const noMarks = { selected: null, path: new Set<string>(), matches: null, chain: new Set<string>(), timeDimmed: null, hover: null };

describe('graph styles', () => {
  for (const theme of ['dark', 'light'] as const) {
    it(`when a node of any kind and state is marked rare (${theme}), then its border is the orange 6 px double and its label carries the figures`, () => {
      const cy = instance(theme);
      const rare = new Map(cy.nodes().map((n) => [n.id(), '2 hosts · 3×'] as [string, string]));
      applyMarks(cy, { ...noMarks, rare });
      cy.nodes().forEach((n) => {
        expect(n.style('border-color'), n.id()).toBe(ORANGE);
        expect(n.style('border-style'), n.id()).toBe('double');
        expect(parseFloat(n.style('border-width')), n.id()).toBe(6);
        expect(n.style('label'), n.id()).toBe(`${n.data('label')}\n◆ 2 hosts · 3×`);
      });
      // Zoomed out (level of detail): the image name alone, still with the rare border.
      cy.nodes().addClass('lod');
      cy.nodes().forEach((n) => { expect(n.style('label')).toBe(n.data('name')); expect(n.style('border-color')).toBe(ORANGE); });
      // The selection's own border still wins (the selection is the one mark drawn over rare).
      applyMarks(cy, { ...noMarks, rare, selected: 'shell-0' });
      expect(cy.getElementById('shell-0').style('border-color')).not.toBe(ORANGE);
    });
  }

  it('when the stylesheet is built, then no property is a function (function styles are re-evaluated per element on every restyle)', () => {
    for (const theme of ['dark', 'light'] as const) {
      for (const rule of graphStyles(theme)) {
        for (const [prop, value] of Object.entries(rule.style)) expect(typeof value, `${rule.selector} ${prop}`).not.toBe('function');
      }
    }
  });
});
