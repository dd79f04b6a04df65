import { describe, expect, it } from 'vitest';
import { GraphDocumentSchema } from '@lineage/shared';
import { doc, g, proc } from '../../testing/fixtures';
import { buildVisibleGraph } from '../graph';
import { toGraphDocument, toProcessCsv } from './export';

const d = doc(g(1), [
  proc(g(1), null, { name: 'cmd.exe', commandLine: 'cmd /c "echo a,b"' }),
  proc(g(2), g(1), { name: 'evil.exe', commandLine: '=HYPERLINK("http://x")' }),
], { [`children:${g(1)}`]: { limit: 1, cursor: 'c', remaining: 7 } });
const vg = buildVisibleGraph({ doc: d, ancestorDocs: [], childPages: [], hidden: new Set(), parentsRequested: new Set() });

describe('exports', () => {
  it('when the visible graph is exported as JSON, then it is a valid graph document without "more" nodes', () => {
    const out = toGraphDocument(vg, d);
    expect(GraphDocumentSchema.safeParse(JSON.parse(JSON.stringify(out))).success).toBe(true);
    expect(out.nodes.map((n) => n.guid)).toEqual([g(1), g(2)]);
    expect(out.edges).toEqual([expect.objectContaining({ source: g(1), target: g(2), kind: 'spawn' })]);
    expect(out.truncated[`children:${g(1)}`]!.remaining).toBe(7);
  });

  it('when processes are exported as CSV, then quoting is RFC 4180 and formulas are neutralised', () => {
    const lines = toProcessCsv(vg).trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]!.startsWith('guid,host,pid,name,image,commandLine')).toBe(true);
    expect(lines[1]).toContain('"cmd /c ""echo a,b"""');
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});
