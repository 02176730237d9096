/**
 * Throwaway PKI for TLS tests and benchmarks, made with the `openssl` CLI: a CA, a serving
 * certificate for 127.0.0.1/localhost and a client certificate, both signed by the CA (EC P-256,
 * valid for two days, no prompts, no passphrases). Like a kubeadm cluster in miniature: the client
 * certificate's subject is `O=system:masters, CN=clusterdns-test` (kube-apiserver reads the user
 * and groups from it).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One certificate and its key: the files and their PEM contents. */
export interface CertPair {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** What makeTestCerts wrote. */
export interface TestCerts {
  /** The folder holding every file (ca.crt, ca.key, server.crt, server.key, client.crt, client.key). */
  dir: string;
  ca: CertPair;
  /** Serving certificate: subjectAltName IP:127.0.0.1, DNS:localhost; extendedKeyUsage serverAuth. */
  server: CertPair;
  /** Client certificate: extendedKeyUsage clientAuth. */
  client: CertPair;
}

/** Extension sections for the three certificates (no distinguished-name prompts: -subj is always given). */
const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** The openssl binary: OPENSSL if set, else `openssl` from PATH. */
const OPENSSL = process.env.OPENSSL ?? 'openssl';

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run(OPENSSL, args, { cwd, timeout: 30_000 });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${(e.stderr ?? '').trim() || e.message}`);
  }
}

/**
 * Creates the CA, server and client certificates in `dir` (made if missing; default a new temp dir).
 * `caName` is the CA's common name (give a second CA another name to tell them apart in errors).
 */
export async function makeTestCerts(dir?: string, opts: { caName?: string } = {}): Promise<TestCerts> {
  const out = dir ?? mkdtempSync(join(tmpdir(), 'clusterdns-certs-'));
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'openssl.cnf'), CONFIG);
  const key = (name: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], out);
  await Promise.all([key('ca'), key('server'), key('client')]);
  await openssl(['req', '-config', 'openssl.cnf', '-new', '-x509', '-key', 'ca.key', '-subj', `/CN=${opts.caName ?? 'clusterdns-test-ca'}`, '-extensions', 'ca', '-days', '2', '-sha256', '-out', 'ca.crt'], out);
  const leaf = async (name: 'server' | 'client', subj: string) => {
    await openssl(['req', '-config', 'openssl.cnf', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`], out);
    await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', `0x${randomSerial()}`, '-days', '2', '-sha256', '-extfile', 'openssl.cnf', '-extensions', name, '-out', `${name}.crt`], out);
  };
  await Promise.all([leaf('server', '/CN=kube-apiserver'), leaf('client', '/O=system:masters/CN=clusterdns-test')]);
  const pair = (name: string): CertPair => {
    const certFile = join(out, `${name}.crt`);
    const keyFile = join(out, `${name}.key`);
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  };
  return { dir: out, ca: pair('ca'), server: pair('server'), client: pair('client') };
}

/** A random positive 64-bit serial (a CA never reuses one). */
function randomSerial(): string {
  const b = randomBytes(8);
  b[0] = (b[0]! & 0x7f) | 0x01;
  return b.toString('hex');
}
