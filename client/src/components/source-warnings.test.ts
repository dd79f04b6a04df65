/** SourceWarnings: Splunk's words shown as a visible partial-view status; nothing when there are none. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SourceWarnings } from './SourceWarnings';

const html = (warnings: string[] | undefined) => renderToStaticMarkup(createElement(SourceWarnings, { warnings }));

describe('SourceWarnings', () => {
  it('shows every warning in the source\'s words, as a status', () => {
    const peer = "Unable to distribute to peer named idx2 at uri https://10.0.0.2:8089 because peer has status = 'Down'.";
    const out = html([peer, 'Search results might be incomplete: the search process on the peer idx2 ended prematurely.']);
    expect(out).toContain('role="status"');
    expect(out).toContain('Partial view');
    expect(out).toContain('Unable to distribute to peer named idx2');
    expect(out).toContain('might be incomplete');
    expect(out.match(/<q>/g)).toHaveLength(2);
  });

  it('renders nothing without warnings', () => {
    expect(html(undefined)).toBe('');
    expect(html([])).toBe('');
  });
});
