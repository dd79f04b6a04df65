import { describe, expect, it } from 'vitest';
import { referenceParse } from '../../test/ingest/fxp-reference.js';
import { decodeEntities, scanEvent } from './xml-scan.js';

const NS = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'";
const sys = "<System><Provider Name='Microsoft-Windows-Sysmon'/><EventID>1</EventID><TimeCreated SystemTime='2024-05-01T10:00:00.1Z'/><EventRecordID>7</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>WS01</Computer></System>";
const ev = (data: string, head = `<Event ${NS}>`): string => `${head}${sys}<EventData>${data}</EventData></Event>`;

function scan(xml: string) {
  const r = scanEvent(xml, 0);
  if (!r.ok) throw new Error(r.reason);
  expect(r.end).toBe(xml.length);
  return r.event;
}

describe('scanEvent', () => {
  it('reads System fields and Data pairs', () => {
    const e = scan(ev("<Data Name='Image'>C:\\x.exe</Data><Data Name='ProcessId'>42</Data>"));
    expect(e.system).toEqual({
      eventId: 1, computer: 'WS01', recordId: 7, channel: 'Microsoft-Windows-Sysmon/Operational',
      provider: 'Microsoft-Windows-Sysmon', timeCreated: '2024-05-01T10:00:00.1Z',
    });
    expect(e.data).toEqual({ Image: 'C:\\x.exe', ProcessId: '42' });
  });

  it('decodes entities and decimal/hex character references, in text and attributes', () => {
    const e = scan(ev(`<Data Name='CommandLine'>a &amp;&amp; b &lt;x&gt; &quot;q&quot; &apos;s&apos;&#13;&#10;&#x41;&#233;</Data><Data Name="a&amp;b">v</Data>`));
    expect(e.data.CommandLine).toBe(`a && b <x> "q" 's'\r\nAé`);
    expect(e.data['a&b']).toBe('v');
  });

  it('keeps CDATA verbatim and joins it with surrounding text', () => {
    const e = scan(ev("<Data Name='A'><![CDATA[<not> &amp; a tag]]></Data><Data Name='B'>x<![CDATA[y]]>z</Data>"));
    expect(e.data).toEqual({ A: '<not> &amp; a tag', B: 'xyz' });
  });

  it('reads empty elements, both quote styles and whitespace between tags', () => {
    const pretty = `<Event xmlns="x">\n  <System>\n    <Provider Name="Microsoft-Windows-Sysmon" />\n    <EventID>3</EventID>\n    <Computer>H</Computer>\n  </System>\n  <EventData>\n    <Data Name="RuleName"/>\n    <Data Name='Empty'></Data>\n    <Data Name = "Image" >C:\\y.exe</Data >\n  </EventData>\n</Event>`;
    const e = scan(pretty);
    expect(e.system.eventId).toBe(3);
    expect(e.data).toEqual({ RuleName: '', Empty: '', Image: 'C:\\y.exe' });
    expect(e).toEqual(referenceParse(pretty));
  });

  it('skips comments, UserData and RenderingInfo like a full parser', () => {
    const xml = `<Event ${NS}><!-- c -->${sys}<UserData><Data Name='NotEventData'>x</Data></UserData><EventData><Data Name='A'>1<!-- mid -->2</Data></EventData><RenderingInfo Culture='en-US'><Message>m</Message></RenderingInfo></Event>`;
    expect(scan(xml)).toEqual(referenceParse(xml));
    expect(scan(xml).data).toEqual({ A: '12' });
  });

  it('equals the reference parser on tricky but valid input', () => {
    const cases = [
      ev("<Data Name='X'>a > b</Data><Data Name='Y'>tab\there</Data>"),
      ev("<Data Name='Z'>&#x1F600; &#128512;</Data>"),
      ev('<Data Name="Q">it\'s "quoted"</Data>'),
      ev("<Data>unnamed</Data><Data Name='N'>named</Data>"),
    ];
    for (const c of cases) expect(scan(c)).toEqual(referenceParse(c));
  });

  it('rejects mis-nested, cut-short and foreign records with a reason', () => {
    const bad = (xml: string) => { const r = scanEvent(xml, 0); expect(r.ok).toBe(false); return r.ok ? null : r; };
    expect(bad(ev("<Data Name='A'>x</Dat>"))?.reason).toMatch(/mismatched end tag/);
    expect(bad(ev("<Data Name='A'>x</Data>").slice(0, -20))?.incomplete).toBe(true);
    expect(bad(`<Event ${NS}><System><EventID>1</EventID><Data Name='A`)?.incomplete).toBe(true);
    expect(bad(`<Event ${NS}><System><Event ${NS}>`)?.reason).toMatch(/next <Event>/);
    expect(bad('<Events><Event/></Events>')?.reason).toMatch(/not an <Event>/);
    expect(bad(ev("<Data Name=A>x</Data>"))?.reason).toMatch(/unquoted attribute/);
  });

  it('stops at the end of its own event', () => {
    const one = ev("<Data Name='A'>1</Data>");
    const r = scanEvent(`${one}\n${one}`, 0);
    expect(r.ok && r.end).toBe(one.length);
  });
});

describe('decodeEntities', () => {
  it('leaves unknown entities and bare ampersands as written', () => {
    expect(decodeEntities('a &nbsp; b & c &#xZZ; &amp;')).toBe('a &nbsp; b & c &#xZZ; &');
  });
});
