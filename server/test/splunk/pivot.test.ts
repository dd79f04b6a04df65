/** The workflow-action pivot treats every parameter as untrusted. */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { pivotTarget } from '../../src/api/pivot.js';
import { hostileCorpus } from './hostile.js';

describe('GET /pivot', () => {
  const app = createApp({ mode: 'splunk', version: 'test', sourceFor: () => null });

  it('redirects a valid pivot to the investigation URL with canonical values and a window', async () => {
    const r = await request(app).get('/pivot').query({ guid: '9D1ED712-FFFD-623D-1D02-000000003B02', host: 'WIN-DC.corp', time: '1648230397.48', notable: 'ABC@@notable@@1' });
    expect(r.status).toBe(302);
    // express encodes the braces of the readable URL (shared/src/investigation-url.ts) in the Location header.
    expect(r.headers.location).toBe('/?src=splunk&guid=%7B9d1ed712-fffd-623d-1d02-000000003b02%7D&host=win-dc.corp&from=2022-03-25T16:46:37.480Z&to=2022-03-26T17:46:37.480Z');
  });

  it('refuses hostile values with a plain-text 400 that does not echo them', async () => {
    for (const v of hostileCorpus().slice(0, 120)) {
      for (const field of ['guid', 'host', 'time', 'notable']) {
        const q = { guid: '{9d1ed712-fffd-623d-1d02-000000003b02}', [field]: v };
        const t = pivotTarget(q);
        if ('url' in t) {
          // Accepted only when the value is one of the valid shapes; the URL holds only canonical values.
          expect(t.url).toMatch(/^\/\?src=splunk&guid=\{[0-9a-f-]+\}(&host=[a-z0-9._-]+)?(&from=[0-9TZ.:-]+&to=[0-9TZ.:-]+)?$/);
        } else {
          const r = await request(app).get('/pivot').query(q);
          expect(r.status).toBe(400);
          expect(r.headers['content-type']).toMatch(/^text\/plain/);
          if (v.length > 3) expect(r.text).not.toContain(v);
        }
      }
    }
  });
});
