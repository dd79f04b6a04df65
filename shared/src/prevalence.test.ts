/** The prevalence body: GUIDs canonicalised and bounded, ranges checked, the default baseline 30 days before. */
import { describe, expect, it } from 'vitest';
import { PrevalenceBody, requestedBaseline } from './prevalence.js';
import { apiPaths } from './requests.js';

const G = '{5770385f-c22a-43e0-bf4c-06f5698ffbd9}';

describe('prevalence request', () => {
  it('reads GUIDs in any case and the window as ISO UTC', () => {
    const body = PrevalenceBody.parse({ guids: [G.toUpperCase()], window: { from: '2024-05-31', to: '2024-06-01T12:00:00Z' } });
    expect(body).toEqual({ guids: [G], window: { from: '2024-05-31T00:00:00.000Z', to: '2024-06-01T12:00:00.000Z' } });
    // 30 days of 86 400 s before 31 May: 1 May, written out by hand.
    expect(requestedBaseline(body)).toEqual({ from: '2024-05-01T00:00:00.000Z', to: '2024-05-31T00:00:00.000Z' });
  });

  it('a given baseline wins over the window; neither gives null', () => {
    const baseline = { from: '2024-01-01T00:00:00.000Z', to: '2024-02-01T00:00:00.000Z' };
    expect(requestedBaseline(PrevalenceBody.parse({ guids: [G], window: { from: '2024-05-31', to: '2024-06-01' }, baseline }))).toEqual(baseline);
    expect(requestedBaseline(PrevalenceBody.parse({ guids: [G] }))).toBeNull();
  });

  it('refuses empty, oversized, non-GUID and inverted input with the field named', () => {
    expect(PrevalenceBody.safeParse({ guids: [] }).success).toBe(false);
    expect(PrevalenceBody.safeParse({ guids: Array.from({ length: 5001 }, () => G) }).success).toBe(false);
    const bad = PrevalenceBody.safeParse({ guids: ['notaguid'] });
    expect(bad.success ? '' : bad.error.issues[0]?.message).toMatch(/not a GUID/);
    expect(PrevalenceBody.safeParse({ guids: [G], baseline: { from: '2024-02-01', to: '2024-01-01' } }).success).toBe(false);
    expect(PrevalenceBody.safeParse({ guids: [G], extra: 1 }).success).toBe(false);
  });

  it('has a path builder', () => {
    expect(apiPaths.prevalence()).toBe('/api/prevalence');
  });
});
