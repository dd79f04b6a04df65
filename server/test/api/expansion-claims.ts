/** Test helper: what an expansion's reasons claim about a node, checked against the document's own data. */
import { expect } from 'vitest';
import type { GraphDocument } from '@lineage/shared';

/** Each opened node's reasons are true of the document (counts, command line, image path, edges). */
export function claimsHold(doc: GraphDocument): void {
  const byId = new Map(doc.nodes.map((n) => [n.guid, n]));
  for (const o of doc.expansion!.opened) {
    const n = byId.get(o.id)!;
    expect(n, o.id).toBeDefined();
    for (const r of o.reasons) {
      if (r.kind === 'network') expect((n.eventCounts.network ?? 0) + (n.eventCounts.dns ?? 0)).toBeGreaterThan(0);
      if (r.kind === 'encoded-powershell') expect(n.commandLine).toMatch(/\s[-/]e(c|n|nc|ncodedcommand)?\s+[A-Za-z0-9+/]{8,}/i);
      if (r.kind === 'path') expect(n.image).toMatch(/\\(users\\|temp\\|programdata\\|windows\\tasks\\)/i);
      if (r.kind === 'remote-thread') expect(doc.edges.some((e) => e.kind === 'remote-thread' && e.source === o.id)).toBe(true);
      if (r.kind === 'process-access') expect(doc.edges.some((e) => e.kind === 'process-access' && e.source === o.id)).toBe(true);
      if (r.kind === 'integrity') expect(n.integrityLevel).toMatch(/high|system/i);
    }
  }
}
