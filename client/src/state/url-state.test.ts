import { describe, expect, it } from 'vitest';
import { emptyViewState, investigationUrl, isHistoryStep, openProcess, parseViewState, serializeViewState } from './url-state';

const A = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';
const B = '{11111111-2222-3333-4444-555555555555}';

describe('URL view state', () => {
  it('when a full view is serialised and parsed back, then every field survives', () => {
    const s = emptyViewState();
    s.source = 'embedded'; s.guid = A; s.host = 'WS1'; s.from = '2024-05-01T00:00:00.000Z'; s.to = '2024-05-02T00:00:00.000Z';
    s.down = 2; s.expanded = new Map([[A, 3], [B, 1], ['group:' + A + ':ab12', 2]]); s.parents = [B]; s.hidden = [B];
    s.selected = B; s.panel = 'raw'; s.category = 'network'; s.event = 12; s.find = 'powershell -enc';
    s.highlight = [B, A]; s.query = { q: 'mimikatz', host: 'WS1', image: 'cmd.exe' };
    s.views = 'list'; s.camera = { zoom: 0.75, x: 120, y: -40 }; s.brush = [1714521600000, 1714525200000];
    s.expand = { mode: 'suspicion', budget: 40 }; s.rare = 3;
    s.layout = 'td';
    const url = serializeViewState(s);
    expect(url).toContain('layout=td');
    expect(parseViewState(url)).toEqual(s);
  });

  it('when expanded order differs, then the URL keeps insertion order (it is part of the view)', () => {
    const s = emptyViewState();
    s.guid = A; s.expanded = new Map([[B, 1], [A, 2]]);
    expect(serializeViewState(s)).toBe(`?guid=${A}&exp=${B},${A}*2`);
  });

  it('when GUIDs arrive upper-case or without braces, then they are canonicalised', () => {
    const v = parseViewState('?guid=5770385F-C22A-43E0-BF4C-06F5698FFBD9&sel=%7B5770385F-C22A-43E0-BF4C-06F5698FFBD9%7D&highlight=11111111-2222-3333-4444-555555555555');
    expect(v.guid).toBe(A);
    expect(v.selected).toBe(A);
    expect(v.highlight).toEqual([B]);
  });

  it('when values are malformed, then they fall back to defaults instead of being trusted', () => {
    const v = parseViewState(`?guid=not-a-guid&exp=${A}*abc,<script>,${B}*0&panel=evil&down=-4&ev=x`);
    expect(v.guid).toBeNull();
    expect([...v.expanded]).toEqual([[A, 1], [B, 1]]);
    expect(v.panel).toBe('details');
    expect(v.down).toBe(1);
    expect(v.event).toBeNull();
  });

  it('when views, camera and brush are malformed, then they fall back to defaults', () => {
    const v = parseViewState('?views=both,list&cam=0,1,2&brush=5,3');
    expect(v.views).toBe('both');
    expect(v.camera).toBeNull();
    expect(v.brush).toBeNull();
    expect(parseViewState('?cam=1,2').camera).toBeNull();
    expect(parseViewState('?cam=0.5,-10.5,3').camera).toEqual({ zoom: 0.5, x: -10.5, y: 3 });
    // Layout: only lr / td are kept; anything else is the shape-based default, which is not written out.
    expect(parseViewState('?layout=lr').layout).toBe('lr');
    expect(parseViewState('?layout=sideways').layout).toBe('auto');
    expect(serializeViewState(parseViewState('?guid={a}&layout=auto'))).not.toContain('layout');
    // The automatic choice once made is kept: `auto-td` is auto (the select says so) pinned to top down.
    expect(parseViewState('?layout=auto-td')).toMatchObject({ layout: 'auto', layoutPin: 'td' });
    expect(parseViewState('?layout=auto-up')).toMatchObject({ layout: 'auto', layoutPin: null });
    expect(serializeViewState(parseViewState(`?guid=${A}&layout=auto-lr`))).toBe(`?guid=${A}&layout=auto-lr`);
    // A forced layout wins over a stale pin, and opening another process drops the pin, not the forced choice.
    expect(serializeViewState({ ...parseViewState(`?guid=${A}`), layout: 'td', layoutPin: 'lr' })).toBe(`?guid=${A}&layout=td`);
    expect(openProcess(parseViewState('?guid={a}&layout=auto-td'), '{b}').layoutPin).toBeNull();
    expect(openProcess(parseViewState('?guid={a}&layout=lr'), '{b}').layout).toBe('lr');
  });

  it('when the view is empty, then the URL has no query string', () => {
    expect(serializeViewState(emptyViewState())).toBe('');
  });

  it('when a rule hit links to its leaf, then the documented `/?guid=…&highlight=…` form is produced and parses back', () => {
    const url = investigationUrl({ guid: A.toUpperCase(), highlight: [B, A] });
    expect(url).toBe(`/?guid=${A}&sel=${A}&highlight=${B},${A}`);
    const v = parseViewState(url.slice(1));
    expect(v.guid).toBe(A);
    expect(v.highlight).toEqual([B, A]);
  });

  it('when another process is opened, then graph-relative state resets but time range and search stay', () => {
    const s = parseViewState(`?guid=${A}&from=2024-05-01T00:00:00.000Z&exp=${A}&sel=${A}&find=x&q=cmd`);
    const n = openProcess(s, B);
    expect(n.guid).toBe(B);
    expect(n.selected).toBe(B);
    expect(n.expanded.size).toBe(0);
    expect(n.find).toBe('');
    expect(n.from).toBe('2024-05-01T00:00:00.000Z');
    expect(n.query.q).toBe('cmd');
  });

  it('when only the selection changes, then it is not a history step; an expansion is', () => {
    const a = parseViewState(`?guid=${A}`);
    expect(isHistoryStep(a, { ...a, selected: B, find: 'x' })).toBe(false);
    expect(isHistoryStep(a, { ...a, expanded: new Map([[A, 1]]) })).toBe(true);
    expect(isHistoryStep(parseViewState(`?guid=${A}&exp=${A}`), parseViewState(`?guid=${A}&exp=${A}*2`))).toBe(true);
  });

  it('when an expansion by suspicion is in the view, then the URL holds its mode and budget, never node lists', () => {
    const s = emptyViewState();
    s.guid = A; s.expand = { mode: 'suspicion', budget: 150 };
    expect(serializeViewState(s)).toBe(`?guid=${A}&xp=suspicion`);
    s.expand = { mode: 'auto', budget: 40 }; s.rare = 3;
    expect(serializeViewState(s)).toBe(`?guid=${A}&xp=auto*40&rare=3`);
    expect(parseViewState(`?guid=${A}&xp=auto*40&rare=3`)).toEqual(s);
    expect(parseViewState(`?guid=${A}&xp=everything*4&rare=x`)).toMatchObject({ expand: null, rare: null });
    expect(parseViewState(`?guid=${A}&xp=suspicion*0`).expand).toEqual({ mode: 'suspicion', budget: 1 });
    const plain = emptyViewState(); plain.guid = A;
    expect(isHistoryStep(plain, s)).toBe(true);
  });
});

describe('across (expand across hosts)', () => {
  it('round-trips the list, drops junk and counts as a history step', () => {
    const a = '{11111111-2222-3333-4444-555555555555}', b = '{aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}';
    const s = parseViewState(`?guid=${a}&across=${a.toUpperCase()},junk!,${b},${a}`);
    expect(s.across).toEqual([a, b]);
    expect(serializeViewState(s)).toContain(`across=${a},${b}`);
    expect(parseViewState(serializeViewState(s)).across).toEqual([a, b]);
    expect(serializeViewState(parseViewState(`?guid=${a}`))).not.toContain('across');
    expect(isHistoryStep(parseViewState(`?guid=${a}`), s)).toBe(true);
  });
});
