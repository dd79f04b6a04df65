/**
 * The suspicion score on hand-written processes. Expected scores are sums of the stated weights
 * (WEIGHTS / LEVEL_WEIGHT), written out per case, so a changed weight or a missed contribution fails.
 */
import { describe, expect, it } from 'vitest';
import { LOLBINS } from './lolbins.js';
import { LEVEL_WEIGHT, RARE_HOSTS, WEIGHTS, hasEncodedPowerShell, scoreProcess, userWritableFolder } from './suspicion.js';
import { proc } from './testing.js';

const kinds = (s: { reasons: { kind: string }[] }) => s.reasons.map((r) => r.kind).sort();

describe('scoreProcess', () => {
  /*
   *  1 winword.exe  (Medium, CORP\alice)
   *  └─ 2 cmd.exe /c powershell -nop -w hidden -enc SQBFAFgA…   rare pair on 1 host, lineage rule leaf (high)
   */
  const word = proc(1, null, 'winword.exe', 0);
  const cmd = proc(2, 1, 'cmd.exe', 1, { commandLine: 'cmd.exe /c powershell -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA' });

  it('when a process matches several signals, then its score is the sum of their weights, each with a reason', () => {
    const s = scoreProcess({
      record: cmd, parent: word,
      rules: [{ id: 'r1', title: 'Office spawns a shell', severity: 'high', leaf: true }],
      pair: { parentName: 'winword.exe', name: 'cmd.exe', hosts: 1, count: 3 },
    });
    expect(s.score).toBe(LEVEL_WEIGHT.high! + WEIGHTS.rarePairOneHost + WEIGHTS.scriptHost + WEIGHTS.encodedPowerShell);
    expect(kinds(s)).toEqual(['encoded-powershell', 'rare-pair', 'rule', 'script-host']);
    expect(s.reasons.find((r) => r.kind === 'rare-pair')!.text).toBe('rare pair winword.exe→cmd.exe on 1 host (3 times)');
    expect(s.reasons.find((r) => r.kind === 'encoded-powershell')!.text).toBe('encoded PowerShell');
    expect(s.reasons.reduce((a, r) => a + r.weight, 0)).toBe(s.score);
  });

  it('when a pair is seen on few hosts, then it is rare with the lower weight; from RARE_HOSTS on it is not', () => {
    const p = (hosts: number) => scoreProcess({ record: proc(3, 1, 'notepad.exe', 2), pair: { parentName: 'winword.exe', name: 'notepad.exe', hosts, count: hosts } });
    expect(p(2).score).toBe(WEIGHTS.rarePairFew);
    expect(p(0).score).toBe(WEIGHTS.rarePairOneHost);
    expect(p(0).reasons[0]!.text).toBe('new pair winword.exe→notepad.exe (never seen in the baseline)');
    expect(p(RARE_HOSTS).score).toBe(0);
    expect(p(40).reasons).toEqual([]);
  });

  it('when a child runs High under a Medium parent as another user from Users\\Public, then integrity, user and path count', () => {
    const parent = proc(4, null, 'powershell.exe', 0);
    const drop = proc(5, 4, 'svch0st.exe', 1, { image: 'C:\\Users\\Public\\svch0st.exe', integrityLevel: 'High', user: 'CORP\\admin' });
    const s = scoreProcess({ record: drop, parent });
    expect(s.score).toBe(WEIGHTS.integrityJump + WEIGHTS.userChange + WEIGHTS.userWritablePath);
    expect(s.reasons.map((r) => r.text)).toEqual([
      'runs from a user-writable folder (\\Users\\Public\\)', 'integrity Medium → High', 'user change CORP\\alice → CORP\\admin',
    ]);
  });

  it('when a service account starts a process as a user, then that is not a user change', () => {
    const svc = proc(6, null, 'svchost.exe', 0, { user: 'NT AUTHORITY\\SYSTEM', integrityLevel: 'System' });
    expect(scoreProcess({ record: proc(7, 6, 'taskhostw.exe', 1), parent: svc }).score).toBe(0);
  });

  it('when a process has network events, injects a thread and opens lsass, then each counts once', () => {
    const s = scoreProcess({
      record: proc(8, null, 'igfxhelper.exe', 0, { image: 'C:\\ProgramData\\Intel\\igfxhelper.exe' }),
      counts: { network: 4, dns: 2 },
      cross: [{ eventId: 8, targetName: 'explorer.exe' }, { eventId: 10, targetName: 'lsass.exe' }, { eventId: 10, targetName: 'explorer.exe' }],
    });
    // 6 network events ≥ MANY_NETWORK (5): the extra weight applies.
    expect(s.score).toBe(WEIGHTS.userWritablePath + WEIGHTS.network + WEIGHTS.networkMany + WEIGHTS.remoteThread + WEIGHTS.lsassAccess);
    expect(s.reasons.find((r) => r.kind === 'network')!.text).toBe('network: 4 connections, 2 DNS queries');
    expect(s.reasons.find((r) => r.kind === 'remote-thread')!.text).toBe('remote thread into explorer.exe');
    expect(s.reasons.find((r) => r.kind === 'process-access')!.text).toBe('credential access: opened lsass.exe, explorer.exe');
  });

  it('when Sigma and a rule chain name a process, then the strongest Sigma level counts once and a chain member gets the chain weight', () => {
    const s = scoreProcess({
      record: proc(9, null, 'notepad.exe', 0),
      sigma: [{ title: 'A', level: 'low' }, { title: 'B', level: 'critical' }, { title: 'A', level: 'low' }],
      rules: [{ id: 'r', title: 'Chain', severity: 'critical', leaf: false }],
    });
    expect(s.score).toBe(LEVEL_WEIGHT.critical! + WEIGHTS.ruleChain);
    expect(s.reasons.find((r) => r.kind === 'sigma')!.text).toBe('Sigma: B; A (critical)');
  });

  it('when nothing is unusual, then the score is 0 with no reasons', () => {
    expect(scoreProcess({ record: proc(10, null, 'notepad.exe', 0), parent: proc(11, null, 'explorer.exe', 0) })).toEqual({ score: 0, reasons: [] });
  });
});

describe('signals', () => {
  it('recognises -EncodedCommand under every prefix PowerShell accepts, and nothing else', () => {
    for (const p of ['-e', '-ec', '-enc', '-EncodedCommand', '/enc', '-encodedc']) expect(hasEncodedPowerShell(`powershell.exe ${p} SQBFAFgAIAAoAE4A`)).toBe(true);
    expect(hasEncodedPowerShell('powershell.exe -ExecutionPolicy bypass -f x.ps1')).toBe(false);
    expect(hasEncodedPowerShell('powershell.exe -ep bypass')).toBe(false);
    expect(hasEncodedPowerShell('tool.exe -enc SQBFAFgAIAAoAE4A')).toBe(false);
  });

  it('knows user-writable folders and not Defender\'s ProgramData folder', () => {
    expect(userWritableFolder('C:\\Users\\bob\\AppData\\Local\\Temp\\x.exe')).toBe('\\Users\\…\\AppData\\');
    expect(userWritableFolder('C:\\Windows\\Temp\\x.exe')).toBe('\\Temp\\');
    expect(userWritableFolder('C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18\\MsMpEng.exe')).toBeNull();
    expect(userWritableFolder('C:\\Windows\\System32\\cmd.exe')).toBeNull();
  });

  it('every LOLBin entry is a lowercase basename, named once, with its ATT&CK ids and a source', () => {
    const names = LOLBINS.map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    for (const l of LOLBINS) {
      expect(l.name).toMatch(/^[a-z0-9_]+\.exe$/);
      expect(l.attack.length).toBeGreaterThan(0);
      for (const t of l.attack) expect(t).toMatch(/^T\d{4}(\.\d{3})?$/);
      expect(l.source).toMatch(/LOLBAS|ATT&CK/);
    }
  });
});
