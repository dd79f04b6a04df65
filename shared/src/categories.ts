/** Event categories by Sysmon EventID (docs/api.md). */
export const CATEGORIES = [
  'process', 'network', 'image', 'remote-thread', 'raw-access', 'process-access', 'file',
  'registry', 'pipe', 'wmi', 'dns', 'clipboard', 'tamper', 'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

const BY_ID: Record<number, Category> = {
  1: 'process', 5: 'process', 3: 'network', 7: 'image', 8: 'remote-thread', 9: 'raw-access',
  10: 'process-access', 2: 'file', 11: 'file', 15: 'file', 23: 'file', 26: 'file', 27: 'file',
  28: 'file', 29: 'file', 12: 'registry', 13: 'registry', 14: 'registry', 17: 'pipe', 18: 'pipe',
  19: 'wmi', 20: 'wmi', 21: 'wmi', 22: 'dns', 24: 'clipboard', 25: 'tamper',
};

export function categoryOf(eventId: number): Category {
  return BY_ID[eventId] ?? 'other';
}

/** EventIDs whose record links two processes: a cross edge from source to target. */
export const CROSS_EDGE_EVENT_IDS: ReadonlySet<number> = new Set([8, 10]);

export function crossEdgeKind(eventId: number): 'remote-thread' | 'process-access' | null {
  return eventId === 8 ? 'remote-thread' : eventId === 10 ? 'process-access' : null;
}
