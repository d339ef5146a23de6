/**
 * The packaging configuration, checked without packaging (electron-builder cannot download Electron here):
 * build/electron-builder.yml against electron-builder's own schema and against what the app needs
 * (targets, the fuses hook, native addon, xmpp: scheme, icons, build output), the icon containers written by
 * build/render-icon.ts, and the notarisation hook's decision. Needs `electron-vite build` to have run
 * (CI builds before testing): the build output is asserted, not skipped.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { matchesGlob, resolve } from 'node:path'
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js'
import { resolveFunction } from 'app-builder-lib/out/util/resolve.js'
import { DebugLogger } from 'builder-util'
import type { Configuration, TargetConfiguration } from 'electron-builder'
import { load } from 'js-yaml'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  ICNS_TYPES,
  ICO_SIZES,
  LINUX_ICON_SIZES,
  encodeIcns,
  encodeIco,
  parseIcns,
  parseIco,
  pngSize,
} from './icon-formats.ts'
import { REQUIRED_FUSES } from './after-pack.cjs'
import { CREDENTIAL_VARIABLES, afterSign, notarizeDecision } from './notarize.cjs'

const root = resolve(import.meta.dirname, '..')
const fromRoot = (path: string): string => resolve(root, path)
const configPath = fromRoot('build/electron-builder.yml')
const config = load(readFileSync(configPath, 'utf8'), { filename: configPath }) as Configuration

type Targets = string | TargetConfiguration | (string | TargetConfiguration)[] | null | undefined
function targetNames(targets: Targets): string[] {
  const list = Array.isArray(targets) ? targets : targets == null ? [] : [targets]
  return list.map((target) => (typeof target === 'string' ? target : target.target))
}

function existingFile(path: string | null | undefined): string {
  expect(path, 'path configured').toBeTypeOf('string')
  const absolute = fromRoot(String(path))
  expect(existsSync(absolute), `${String(path)} exists`).toBe(true)
  return absolute
}

/** A tiny valid PNG header (signature + IHDR) of the given size; enough for the container code. */
function fakePng(size: number): Buffer {
  const png = Buffer.alloc(33)
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(png, 0)
  png.writeUInt32BE(13, 8)
  png.write('IHDR', 12, 'latin1')
  png.writeUInt32BE(size, 16)
  png.writeUInt32BE(size, 20)
  return png
}

describe('build/electron-builder.yml', () => {
  it("matches electron-builder's configuration schema", async () => {
    await expect(validateConfiguration(structuredClone(config), new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('names the app', () => {
    expect(config.appId).toBe('org.ciphermoon.desktop')
    expect(config.productName).toBe('Ciphermoon')
    const packageJson = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { productName: string }
    expect(packageJson.productName).toBe(config.productName)
    expect(config.directories).toEqual({ buildResources: 'build', output: 'dist' })
  })

  it('packages the electron-vite build output, which exists', () => {
    expect(config.files).toContain('out/**')
    expect(config.files).toContain('package.json')
    for (const output of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
      expect(existsSync(fromRoot(output)), `${output} (run \`electron-vite build\` first)`).toBe(true)
      expect(matchesGlob(output, 'out/**')).toBe(true)
    }
    const packageJson = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { main: string }
    expect(packageJson.main).toBe('out/main/index.js')
    // The runtime window icon main/index.ts loads.
    expect(config.files).toContain('resources/icon.png')
    existingFile('resources/icon.png')
  })

  it('sets and verifies the electron fuses in the afterPack hook, and nothing flips them after it', async () => {
    expect(config.afterPack).toBe('build/after-pack.cjs')
    existingFile(config.afterPack as string)
    // electron-builder's own `electronFuses` are flipped after afterPack, where the hook cannot check them.
    expect(config.electronFuses).toBeUndefined()
    // electron-builder loads the hook the way it loads every hook: the module's `afterPack` export.
    const hook = await resolveFunction(undefined, config.afterPack, 'afterPack', root)
    expect(hook).toBe(createRequire(import.meta.url)('./after-pack.cjs').afterPack)
    expect(hook).toBeTypeOf('function')
    expect(Object.fromEntries(REQUIRED_FUSES.map((fuse) => [fuse.name, fuse.enabled]))).toMatchObject({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      OnlyLoadAppFromAsar: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      EnableCookieEncryption: true,
    })
  })

  it("unpacks the SQLCipher driver's native addon from the asar", () => {
    expect(config.asar).toBe(true)
    const patterns = [config.asarUnpack].flat().filter((pattern): pattern is string => typeof pattern === 'string')
    const addonDirectory = fromRoot('node_modules/better-sqlite3-multiple-ciphers')
    const addons = readdirSync(addonDirectory, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.node'))
    expect(addons.length).toBeGreaterThan(0)
    for (const addon of [...addons, 'build/Release/better_sqlite3.node']) {
      const packaged = `node_modules/better-sqlite3-multiple-ciphers/${addon}`
      expect(patterns.some((pattern) => matchesGlob(packaged, pattern)), packaged).toBe(true)
    }
  })

  it('builds a per-user NSIS wizard and a portable exe on Windows', () => {
    expect(targetNames(config.win?.target)).toEqual(['nsis', 'portable'])
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false })
    expect(config.nsis?.artifactName).not.toBe(config.portable?.artifactName)
  })

  it('builds a hardened, notarisable dmg and zip on macOS', () => {
    expect(targetNames(config.mac?.target)).toEqual(['dmg', 'zip'])
    expect(config.mac?.hardenedRuntime).toBe(true)
    expect(config.mac?.notarize, 'notarised by build/notarize.cjs only').toBe(false)
    for (const entitlements of [config.mac?.entitlements, config.mac?.entitlementsInherit]) {
      expect(entitlements).toBe('build/entitlements.mac.plist')
      const plist = readFileSync(existingFile(entitlements), 'utf8')
      expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>')
      expect(plist).toContain('<key>com.apple.security.network.client</key>')
      expect(plist).not.toContain('disable-library-validation')
    }
    expect(config.afterSign).toBe('build/notarize.cjs')
    existingFile(config.afterSign as string)
  })

  it('registers the xmpp: scheme on macOS (Info.plist) and Linux (desktop file), once each', () => {
    const macSchemes = [config.mac?.protocols].flat().flatMap((protocol) => protocol?.schemes ?? [])
    expect(macSchemes).toEqual(['xmpp'])
    expect(config.linux?.mimeTypes).toEqual(['x-scheme-handler/xmpp'])
    // electron-builder's desktop file MimeType: linux.mimeTypes + top-level and linux `protocols`.
    const desktopMimeTypes = [
      ...(config.linux?.mimeTypes ?? []),
      ...[config.protocols, config.linux?.protocols].flat().flatMap((protocol) => (protocol?.schemes ?? []).map((scheme) => `x-scheme-handler/${scheme}`)),
    ]
    expect(desktopMimeTypes).toEqual(['x-scheme-handler/xmpp'])
  })

  it('builds AppImage, deb and rpm with a desktop entry on Linux', () => {
    expect(targetNames(config.linux?.target)).toEqual(['AppImage', 'deb', 'rpm'])
    expect(config.linux?.category).toBe('Network;InstantMessaging')
    expect(config.linux?.desktop?.entry).toMatchObject({ StartupWMClass: 'Ciphermoon' })
    expect(config.linux?.desktop?.entry?.Keywords).toMatch(/XMPP/u)
    expect(config.deb?.depends, "deb keeps electron-builder's defaults (with libsecret-1-0)").toBeUndefined()
    expect(config.rpm?.depends).toContain('libsecret')
  })
})

describe('icons (build/render-icon.ts output)', () => {
  it('Windows: a valid ICO with PNG entries from 16 to 256 px', () => {
    const icoPath = existingFile(config.win?.icon)
    expect(config.nsis?.installerIcon).toBe(config.win?.icon)
    expect(config.nsis?.uninstallerIcon).toBe(config.win?.icon)
    const ico = readFileSync(icoPath)
    expect(ico.readUInt16LE(0)).toBe(0)
    expect(ico.readUInt16LE(2)).toBe(1)
    expect(ico.readUInt16LE(4)).toBe(ICO_SIZES.length)
    const entries = parseIco(ico)
    expect(entries.map((entry) => entry.width)).toEqual([...ICO_SIZES])
    for (const entry of entries) {
      expect(entry.bitsPerPixel).toBe(32)
      expect(pngSize(entry.data)).toEqual({ width: entry.width, height: entry.height })
    }
  })

  it('macOS: a valid ICNS with PNG entries icp4…ic14', () => {
    const icns = readFileSync(existingFile(config.mac?.icon))
    expect(icns.toString('latin1', 0, 4)).toBe('icns')
    expect(icns.readUInt32BE(4)).toBe(icns.length)
    const entries = parseIcns(icns)
    expect(entries.map((entry) => entry.type)).toEqual(ICNS_TYPES.map((entry) => entry.type))
    expect(entries.map((entry) => entry.type)).toEqual(expect.arrayContaining(['icp4', 'icp5', 'icp6', 'ic07', 'ic08', 'ic09', 'ic10']))
    entries.forEach((entry, index) => {
      const size = ICNS_TYPES[index]?.size
      expect(pngSize(entry.data), entry.type).toEqual({ width: size, height: size })
    })
  })

  it('Linux: a PNG per size from 16 to 512 px, named NxN.png', () => {
    const directory = existingFile(config.linux?.icon)
    expect(readdirSync(directory).sort()).toEqual(LINUX_ICON_SIZES.map((size) => `${size}x${size}.png`).sort())
    for (const size of LINUX_ICON_SIZES) {
      expect(pngSize(readFileSync(resolve(directory, `${size}x${size}.png`)))).toEqual({ width: size, height: size })
    }
    expect(pngSize(readFileSync(fromRoot('resources/icon.png')))).toEqual({ width: 1024, height: 1024 })
  })

  it('ICO and ICNS containers round-trip and reject bad input', () => {
    const pngs = [16, 256].map(fakePng)
    const ico = encodeIco(pngs)
    expect(ico.length).toBe(6 + 2 * 16 + 2 * 33)
    expect(parseIco(ico).map((entry) => [entry.width, entry.data.equals(pngs[entry.width === 16 ? 0 : 1] ?? Buffer.alloc(0))])).toEqual([
      [16, true],
      [256, true],
    ])
    expect(ico.readUInt8(6 + 16)).toBe(0) // 256 px is stored as 0
    expect(() => encodeIco([fakePng(512)])).toThrow(/at most 256/u)
    expect(() => encodeIco([Buffer.from('not a png')])).toThrow(/not a PNG/u)
    expect(() => parseIco(ico.subarray(0, 20))).toThrow(/truncated/u)

    const icns = encodeIcns([{ type: 'icp4', png: pngs[0] ?? Buffer.alloc(0) }])
    expect(icns.readUInt32BE(4)).toBe(icns.length)
    expect(parseIcns(icns)).toEqual([{ type: 'icp4', data: pngs[0] }])
    expect(() => parseIcns(icns.subarray(0, icns.length - 1))).toThrow(/length/u)
    expect(() => encodeIcns([{ type: 'toolong', png: fakePng(16) }])).toThrow(/bad ICNS type/u)
  })
})

describe('build/notarize.cjs (afterSign hook)', () => {
  const credentials = { APPLE_ID: 'dev@example.org', APPLE_APP_SPECIFIC_PASSWORD: 'abcd-efgh-ijkl-mnop', APPLE_TEAM_ID: 'ABCDE12345' }

  afterEach(() => {
    vi.unstubAllEnvs()
    vi.restoreAllMocks()
  })

  it('skips without credentials, naming the variables', () => {
    const decision = notarizeDecision('darwin', {})
    expect(decision.action).toBe('skip')
    for (const name of CREDENTIAL_VARIABLES) expect(decision.action === 'skip' && decision.reason).toContain(name)
    expect(notarizeDecision('darwin', { APPLE_ID: '', APPLE_APP_SPECIFIC_PASSWORD: ' ', APPLE_TEAM_ID: undefined }).action).toBe('skip')
  })

  it('skips other platforms even with credentials', () => {
    expect(notarizeDecision('win32', credentials)).toMatchObject({ action: 'skip', reason: expect.stringContaining('win32') })
    expect(notarizeDecision('linux', credentials).action).toBe('skip')
  })

  it('fails on incomplete credentials, naming what is missing', () => {
    expect(notarizeDecision('darwin', { ...credentials, APPLE_TEAM_ID: '' })).toEqual({
      action: 'fail',
      reason: 'incomplete notarisation credentials: APPLE_TEAM_ID not set',
    })
  })

  it('notarises with all three', () => {
    expect(notarizeDecision('darwin', credentials)).toEqual({
      action: 'notarize',
      appleId: credentials.APPLE_ID,
      appleIdPassword: credentials.APPLE_APP_SPECIFIC_PASSWORD,
      teamId: credentials.APPLE_TEAM_ID,
    })
  })

  it('the hook logs the skip and returns without credentials', async () => {
    for (const name of CREDENTIAL_VARIABLES) vi.stubEnv(name, undefined)
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    const context = { electronPlatformName: 'darwin', appOutDir: '/nonexistent', packager: { appInfo: { productFilename: 'Ciphermoon' } } }
    await expect(afterSign(context)).resolves.toBeUndefined()
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/notarize: skipped — APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID are not set/u))
  })
})

describe('package.json dist scripts', () => {
  it('build with electron-vite, then package with this configuration', () => {
    const { scripts } = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { scripts: Record<string, string> }
    const base = 'electron-vite build && electron-builder --config build/electron-builder.yml'
    expect(scripts.dist).toBe(base)
    expect(scripts['dist:win']).toBe(`${base} --win`)
    expect(scripts['dist:mac']).toBe(`${base} --mac`)
    expect(scripts['dist:linux']).toBe(`${base} --linux`)
    expect(scripts.icons).toBe('node build/render-icon.ts')
  })
})
