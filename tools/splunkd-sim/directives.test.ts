/**
 * TERM() and CASE() as Splunk documents them ("Use CASE() and TERM() to match phrases", Search
 * Reference): TERM(x) matches x only as a whole indexed term — bounded by major breakers (space,
 * `< > [ ] ( ) { } | ! ; , ' " * & ? +`) — while minor breakers (`. \ / : = @ - _`) stay inside it, case-
 * insensitively; CASE(x) is a keyword matched case-sensitively. Anything else is a 400, never a silent
 * mis-evaluation. The rows below are written here; each expected answer is read off their `_raw`.
 */
import { describe, expect, it } from 'vitest';
import { SplError } from './spl/errors.js';
import { compileSearch, runSearch, type EventStore } from './spl/execute.js';
import type { Row } from './spl/values.js';

const T0 = Date.UTC(2024, 0, 10, 12, 0, 0) / 1000;
const RAWS: Record<string, string> = {
  a: "<Event><Data Name='Image'>C:\\Windows\\System32\\cmd.exe</Data><Data Name='DestinationIp'>10.0.0.1</Data></Event>",
  b: "<Event><Data Name='Image'>cmd.exe</Data><Data Name='User'>CORP\\Alice</Data></Event>",
  c: 'src=10.0.0.12 user=alice action=Blocked',
};
const rows: Row[] = Object.entries(RAWS).map(([id, raw], i) => ({ _time: String(T0 - i), index: 'sysmon', host: 'h', _raw: raw, id }));
const store: EventStore = { events: () => rows, datamodel: () => [] };
const ids = (terms: string) => runSearch(compileSearch(`search index=sysmon ${terms}`), store, { nowSec: T0 + 1, defaultIndexes: ['main'] })
  .results.map((r) => r.id).sort();
function refused(terms: string): string {
  try { compileSearch(`search index=sysmon ${terms}`); } catch (e) { expect(e).toBeInstanceOf(SplError); return (e as SplError).message; }
  throw new Error(`expected a 400 for: ${terms}`);
}

describe('TERM()', () => {
  it('matches a whole term between major breakers, with its minor breakers inside', () => {
    // 10.0.0.1 stands between `>` and `<` in a; in c it is only the prefix of 10.0.0.12 (the `=` before it is minor).
    expect(ids('TERM(10.0.0.1)')).toEqual(['a']);
    // cmd.exe is a whole term only in b (in a it follows `\`, a minor breaker, inside the path term).
    expect(ids('TERM(cmd.exe)')).toEqual(['b']);
    expect(ids('TERM(C:\\Windows\\System32\\cmd.exe)')).toEqual(['a']);
    // Case-insensitive, like every term lookup.
    expect(ids('TERM(CMD.EXE)')).toEqual(['b']);
    // In c the indexed term is src=10.0.0.12 (`=` is minor): its part after `=` is not a term.
    expect(ids('TERM(10.0.0.12)')).toEqual([]);
    expect(ids('10.0.0.12')).toEqual(['c']);
  });

  it('differs from the bare keyword, which matches minor segments', () => {
    expect(ids('cmd.exe')).toEqual(['a', 'b']);
    expect(ids('NOT TERM(cmd.exe)')).toEqual(['a', 'c']);
  });
});

describe('CASE()', () => {
  it('makes the keyword case-sensitive', () => {
    expect(ids('alice')).toEqual(['b', 'c']);
    expect(ids('CASE(alice)')).toEqual(['c']);
    expect(ids('CASE(Alice)')).toEqual(['b']);
    expect(ids('CASE(Blocked)')).toEqual(['c']);
    expect(ids('CASE(blocked)')).toEqual([]);
  });
});

describe('what the emulator cannot evaluate as Splunk does: 400', () => {
  it('refuses lowercase spellings, wildcards in TERM, several terms, and directives as field values', () => {
    expect(refused('term(cmd.exe)')).toMatch(/not supported/);
    expect(refused('TERM(cmd*)')).toMatch(/wildcards inside TERM/);
    expect(refused('TERM(a b)')).toMatch(/one term/);
    expect(refused('TERM()')).toMatch(/one term/);
    expect(refused('user=CASE(Alice)')).toMatch(/not supported/);
    expect(refused('user=TERM(alice)')).toMatch(/not supported/);
  });
});
