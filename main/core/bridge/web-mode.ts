import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Core } from '../core-types.ts'
import { createCore } from '../index.ts'
import { createPassphraseKeyProvider } from '../keys/passphrase-key-provider.ts'
import { startBridge } from './bridge-server.ts'

export interface WebModeOptions {
  /** Where the encrypted database lives (created if missing). */
  dataDir: string
  /** The built renderer; `npm run build` writes it to out/renderer. */
  staticDir: string
  /** 0 or absent: an ephemeral port. */
  port?: number
  /**
   * PEM files with extra trust anchors for XMPP servers, besides the system roots: a test CA or a
   * company CA. Certificate verification stays on; this only adds roots.
   */
  caFiles?: readonly string[]
}

export interface WebMode {
  url: string
  port: number
  token: string
  core: Core
  close(): Promise<void>
}

/**
 * Browser mode in-process: the core with a passphrase-derived database key (the UI asks for it),
 * plus the loopback bridge serving the renderer. Used by `npm run web`, the demo and the e2e tests.
 */
export async function startWebMode(options: WebModeOptions): Promise<WebMode> {
  const staticDir = resolve(options.staticDir)
  if (!existsSync(join(staticDir, 'index.html'))) {
    throw new Error(`No built renderer in ${staticDir}; run \`npm run build\` first`)
  }
  const extraCaCertificates = (options.caFiles ?? []).map((file) => readCaFile(file))
  const dataDir = resolve(options.dataDir)
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })

  const core = await createCore({ dataDir, keyProvider: createPassphraseKeyProvider(dataDir), extraCaCertificates })
  let bridge
  try {
    bridge = await startBridge({ core, staticDir, host: '127.0.0.1', port: options.port ?? 0 })
  } catch (error) {
    await core.close()
    throw error
  }
  const { url, port, token } = bridge
  const openBridge = bridge
  let closing: Promise<void> | null = null
  return {
    url,
    port,
    token,
    core,
    close: () => {
      closing ??= openBridge.close().finally(() => core.close())
      return closing
    },
  }
}

function readCaFile(file: string): string {
  const pem = readFileSync(file, 'utf8')
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`${file} holds no PEM certificate`)
  return pem
}
