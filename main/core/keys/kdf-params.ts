import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { CoreError } from '../errors.ts'

/** scrypt parameters of the passphrase key, stored beside the database (not secret) so they can be raised later. */
export interface KdfParams {
  kdf: 'scrypt'
  salt: string
  N: number
  r: number
  p: number
}

const DEFAULT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const

/** Fresh parameters with a new random 128-bit salt. */
export function newKdfParams(): KdfParams {
  return { kdf: 'scrypt', salt: randomBytes(16).toString('base64'), ...DEFAULT_PARAMS }
}

export function readKdfParams(path: string): KdfParams {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<KdfParams>
    if (parsed.kdf !== 'scrypt' || typeof parsed.salt !== 'string' || !parsed.N || !parsed.r || !parsed.p) throw new Error('bad shape')
    return parsed as KdfParams
  } catch (error) {
    throw new CoreError('internal', `The key derivation settings in ${path} are unreadable (${(error as Error).message})`)
  }
}

function syncDirectory(path: string): void {
  const fd = openSync(dirname(path), 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}

/** Writes the parameters so that `path` holds either the old or the new file, never a torn one: temp file, fsync, rename. */
export function writeKdfParamsAtomically(path: string, params: KdfParams): void {
  const temporary = `${path}.tmp`
  const fd = openSync(temporary, 'w', 0o600)
  try {
    writeSync(fd, JSON.stringify(params))
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, path)
  syncDirectory(path)
}

/** Atomically replaces `to` with `from` (both in the same directory) and makes the rename durable. */
export function replaceFile(from: string, to: string): void {
  renameSync(from, to)
  syncDirectory(to)
}
