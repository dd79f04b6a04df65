import { describe, expect, it } from 'vitest';
import { normaliseCommandLine, siblingKey } from './sibling-key.js';

describe('normaliseCommandLine folds what differs between identical runs', () => {
  it.each([
    ['conhost.exe 0xffffffff -ForceV1', 'conhost.exe # -forcev#'],
    ['svchost.exe -k netsvcs -p -s Schedule', 'svchost.exe -k netsvcs -p -s schedule'],
    ['rundll32.exe C:\\Users\\bob\\AppData\\Local\\Temp\\xb3k2lqd.dll,Start', 'rundll#.exe c:\\users\\bob\\appdata\\local\\temp\\*,start'],
    ['"C:\\Program Files\\App\\app.exe" --type=renderer --pid=4312 {7A3F0C9B-1D2E-4F5A-8B6C-9D0E1F2A3B4C}', '"c:\\program files\\app\\app.exe" --type=renderer --pid=# {guid}'],
    ['cmd.exe /c del ~DF1A2B.tmp', 'cmd.exe /c del *.tmp'],
    ['  ping   -n 5   127.0.0.1 ', 'ping -n # #.#.#.#'],
  ])('%s', (input, expected) => {
    expect(normaliseCommandLine(input)).toBe(expected);
  });

  it('keeps different tools and different verbs apart', () => {
    const a = siblingKey({ name: 'net.exe', image: 'C:\\Windows\\System32\\net.exe', commandLine: 'net user' });
    const b = siblingKey({ name: 'net.exe', image: 'C:\\Windows\\System32\\net.exe', commandLine: 'net group' });
    const c = siblingKey({ name: 'net1.exe', image: 'C:\\Windows\\System32\\net1.exe', commandLine: 'net user' });
    expect(new Set([a, b, c]).size).toBe(3);
  });
});
