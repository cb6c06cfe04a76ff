// A throwaway self-signed certificate for TLS servers in tests, made by the system's openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key (PEM). */
export interface TestCertificate {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * A P-256 certificate valid for a day for `subjectAltName` (`DNS:svc.test`, `IP:127.0.0.1`, or
 * several, comma-separated), its common name the first DNS name (or `localhost`).
 *
 * @example
 * const { cert, key } = selfSignedCertificate(openssl.path!, 'IP:127.0.0.1');
 */
export function selfSignedCertificate(openssl: string, subjectAltName: string): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-tls-'));
  try {
    const cn = /DNS:([^,]+)/.exec(subjectAltName)?.[1] ?? 'localhost';
    execFileSync(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', `/CN=${cn}`, '-addext', `subjectAltName=${subjectAltName}`, '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
