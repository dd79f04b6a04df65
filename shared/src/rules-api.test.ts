/** The run's push-down in words: the cases spelled out as the Rules page must show them. */
import { describe, expect, it } from 'vitest';
import { scanPushdown } from './rules-api.js';

describe('scanPushdown', () => {
  it('names, Sigma filters, both, a full scan, or nothing to scan', () => {
    expect(scanPushdown({ pushedNames: null, pushedFilters: 0, scans: 1 })).toBe('full scan');
    expect(scanPushdown({ pushedNames: ['excel.exe', 'winword.exe'], pushedFilters: 0, scans: 1 })).toBe('2 image names pushed down');
    expect(scanPushdown({ pushedNames: ['cmd.exe'], pushedFilters: 0, scans: 1 })).toBe('1 image name pushed down');
    // The case the page got wrong: only a Sigma filter narrowed the scan ("0 image names pushed down" before).
    expect(scanPushdown({ pushedNames: [], pushedFilters: 1, scans: 1 })).toBe('1 Sigma filter pushed down');
    expect(scanPushdown({ pushedNames: ['reg.exe'], pushedFilters: 2, scans: 2 })).toBe('1 image name and 2 Sigma filters pushed down');
    // A filtered scan the source did not apply (embedded store) reads every create: a full scan, said so.
    expect(scanPushdown({ pushedNames: [], pushedFilters: 0, scans: 1 })).toBe('full scan');
    // Every rule decided unmatchable before any scan.
    expect(scanPushdown({ pushedNames: [], pushedFilters: 0, scans: 0 })).toBe('nothing to scan');
  });
});
