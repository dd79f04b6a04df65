/** The demo fleet generator: deterministic, and the planted scenarios are really in the events. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateDemo, generateHistoryDay, generateHost, notablesFor } from './generate.js';
import { DEMO_EPOCH_MS, plantedManifest } from './planted.js';

function digest(opts: Parameters<typeof generateDemo>[0]): { hash: string; count: number } {
  const h = createHash('sha256');
  let count = 0;
  for (const batch of generateDemo(opts)) for (const e of batch) { h.update(JSON.stringify(e)); count += 1; }
  return { hash: h.digest('hex'), count };
}

describe('generateDemo', () => {
  it('when run twice with one seed, then the events are identical; another seed differs', () => {
    const opts = { hosts: 3, seed: 7, processesPerHostDay: 60 };
    const a = digest(opts);
    expect(a.count).toBeGreaterThan(600);
    expect(digest(opts)).toEqual(a);
    expect(digest({ ...opts, seed: 8 }).hash).not.toBe(a.hash);
  });

  it('planted GUIDs do not depend on fleet density or days', () => {
    expect(plantedManifest({ seed: 9, hosts: 12 })).toEqual(plantedManifest({ seed: 9, hosts: 12 }));
    const few = generateHost(0, { seed: 9, hosts: 12, processesPerHostDay: 10 });
    const many = generateHost(0, { seed: 9, hosts: 12, processesPerHostDay: 200, days: 2 });
    const m = plantedManifest({ seed: 9, hosts: 12 });
    for (const events of [few, many]) {
      expect(events.some((e) => e.eventId === 1 && e.guid === m.phishing.rundll32)).toBe(true);
    }
    expect(many.length).toBeGreaterThan(few.length * 5);
  });

  it('each host has increasing record ids in time order, and times are ISO UTC', () => {
    const events = generateHost(2, { seed: 3, hosts: 5, processesPerHostDay: 50 });
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.recordId).toBe(events[i - 1]!.recordId! + 1);
      expect(events[i]!.time >= events[i - 1]!.time).toBe(true);
    }
    expect(events.every((e) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(e.time))).toBe(true);
  });

  it('the planted scenarios are in the events: 500 children, lsass access, remote thread, never-logged parent', () => {
    const opts = { seed: 11, hosts: 10, processesPerHostDay: 20 };
    const m = plantedManifest(opts);
    const events = [...generateDemo(opts)].flat();
    const creates = events.filter((e) => e.eventId === 1);
    const parentOf = (g: string) => creates.filter((e) => e.guid === g).map((e) => e.fields.ParentProcessGuid);
    expect(creates.filter((e) => e.fields.ParentProcessGuid === m.bigParent.guid && e.host === m.bigParent.host)).toHaveLength(500);
    expect(events.filter((e) => e.eventId === 10 && e.guid === m.lsassAccess.dropper).map((e) => e.targetGuid)).toEqual([m.lsassAccess.lsass, m.lsassAccess.lsass]);
    expect(creates.find((e) => e.guid === m.lsassAccess.lsass)?.fields.Image).toMatch(/\\lsass\.exe$/);
    expect(events.filter((e) => e.eventId === 8).map((e) => [e.guid, e.targetGuid])).toEqual([[m.remoteThread.source, m.remoteThread.target]]);
    expect(parentOf(m.notLogged.child)).toEqual([m.notLogged.parentGuid]);
    expect(creates.some((e) => e.guid === m.notLogged.parentGuid)).toBe(false);
    expect(parentOf(m.phishing.rundll32)).toEqual([m.phishing.powershell]);
    expect(parentOf(m.phishing.winword)).toEqual([m.phishing.outlook]);
    // ≥ 10 siblings: same image name, command lines equal once digits/GUIDs/temp names are folded.
    const sib = creates.filter((e) => m.siblings.children.includes(e.guid!));
    expect(sib).toHaveLength(14);
    const fold = (s: string) => s.replace(/\{[0-9A-F-]{36}\}/gi, '{G}').replace(/tmp[0-9A-F]+\.tmp/gi, 'tmpX.tmp').replace(/\d+/g, 'N');
    expect(new Set(sib.map((e) => fold(e.fields.CommandLine!))).size).toBe(1);
    expect(new Set(sib.map((e) => e.fields.CommandLine)).size).toBe(14);
    // Same GUID on two hosts.
    expect(creates.filter((e) => e.guid === m.sharedGuid!.guid).map((e) => e.host).sort()).toEqual([...m.sharedGuid!.hosts].sort());
    // Outside window: child starts 65 min after its parent.
    const start = (g: string) => Date.parse(creates.find((e) => e.guid === g)!.time);
    expect(start(m.outsideWindow.child) - start(m.outsideWindow.parent)).toBe(65 * 60_000);
  });

  it('notables point at planted processes, phishing first', () => {
    const m = plantedManifest({ seed: 5, hosts: 20 });
    const ns = notablesFor({ seed: 5, hosts: 20 });
    expect(ns[0]).toMatchObject({ guid: m.phishing.cmd, severity: 'critical', host: m.phishing.host });
    expect(ns.map((n) => n.guid)).toContain(m.lsassAccess.dropper);
  });

  it('history: 7 benign days before day 0 on every host; day 0 is the same with or without it; no planted process in it', () => {
    const opts = { seed: 13, hosts: 20, processesPerHostDay: 30, historyPerHostDay: 20 };
    const m = plantedManifest(opts);
    const planted = new Set(Object.values(m).flatMap((v) => (v && typeof v === 'object' ? Object.values(v).flat() : [])).filter((x): x is string => typeof x === 'string' && x.startsWith('{')));
    const events = [...generateDemo(opts)].flat();
    const before = events.filter((e) => Date.parse(e.time) < DEMO_EPOCH_MS);
    const day = (e: { time: string }) => Math.floor((Date.parse(e.time) - DEMO_EPOCH_MS) / 86_400_000);
    // Every host has process-creates on each of days −7 … −1.
    for (let i = 0; i < 20; i++) {
      const host = `ws-${String(i + 1).padStart(4, '0')}.corp.example`;
      expect(new Set(before.filter((e) => e.host === host && e.eventId === 1).map(day))).toEqual(new Set([-7, -6, -5, -4, -3, -2, -1]));
    }
    expect(before.some((e) => planted.has(e.guid ?? '') || planted.has(e.targetGuid ?? ''))).toBe(false);
    // Day 0 on: exactly the events of a fleet without history.
    const after = events.filter((e) => Date.parse(e.time) >= DEMO_EPOCH_MS);
    const without = [...generateDemo({ ...opts, historyDays: 0 })].flat();
    expect(after).toEqual(without);
    // Record ids stay unique per host.
    const ids = events.map((e) => `${e.host}#${e.recordId}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(generateHistoryDay(3, 2, opts)).toEqual(generateHistoryDay(3, 2, opts));
  });
});
