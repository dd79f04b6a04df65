/**
 * A throw-away self-signed certificate for the HTTPS listener (§8.11), generated with the
 * machine's `openssl` at start. The CA-verification tests trust exactly this certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM certificate and key. */
export interface TlsMaterial { cert: string; key: string }

/**
 * Generate a self-signed certificate for `localhost` / 127.0.0.1 (valid 2 days); `splunkDefault`
 * makes one shaped like Splunk's default server certificate: CN=SplunkServerDefaultCert, no SAN.
 */
export function selfSignedCert(commonName = 'localhost', splunkDefault = false): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'splunkd-tls-'));
  try {
    const keyPath = join(dir, 'key.pem');
    const certPath = join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
      ...(splunkDefault ? ['-subj', '/CN=SplunkServerDefaultCert/O=SplunkUser']
        : ['-subj', `/CN=${commonName}/O=Lineage splunkd test server`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']),
      '-keyout', keyPath, '-out', certPath,
    ], { stdio: 'pipe' });
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
