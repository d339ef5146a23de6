/**
 * A throwaway certificate authority and one server certificate it issued, made with the openssl CLI.
 * Tests trust `caPem` explicitly; verification is never disabled.
 */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runCommand } from './run-command.ts'

export interface TestCertificates {
  caPem: string
  serverKeyFile: string
  serverCertificateFile: string
}

const VALIDITY_DAYS = '2'

export async function createTestCertificates(directory: string, domain: string): Promise<TestCertificates> {
  const caKeyFile = join(directory, 'ca.key')
  const caCertificateFile = join(directory, 'ca.pem')
  const serverKeyFile = join(directory, 'server.key')
  const serverRequestFile = join(directory, 'server.csr')
  const serverCertificateFile = join(directory, 'server.pem')
  const serverExtensionsFile = join(directory, 'server-extensions.cnf')

  await runCommand('openssl', [
    'req', '-x509', '-new', '-nodes',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-keyout', caKeyFile, '-out', caCertificateFile, '-days', VALIDITY_DAYS,
    '-subj', '/CN=Throwaway Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ])
  await runCommand('openssl', [
    'req', '-new', '-nodes',
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-keyout', serverKeyFile, '-out', serverRequestFile,
    '-subj', `/CN=${domain}`,
  ])
  await writeFile(
    serverExtensionsFile,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=DNS:${domain}`,
      '',
    ].join('\n'),
  )
  await runCommand('openssl', [
    'x509', '-req', '-in', serverRequestFile,
    '-CA', caCertificateFile, '-CAkey', caKeyFile,
    '-set_serial', `0x${randomBytes(8).toString('hex')}`,
    '-days', VALIDITY_DAYS, '-extfile', serverExtensionsFile,
    '-out', serverCertificateFile,
  ])
  return { caPem: await readFile(caCertificateFile, 'utf8'), serverKeyFile, serverCertificateFile }
}
