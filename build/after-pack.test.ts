/**
 * build/after-pack.cjs: the fuse decisions, and the whole hook against a small fake Electron binary
 * (a file with the fuse sentinel and wire, which is all @electron/fuses reads and writes). Electron itself
 * cannot be downloaded here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { afterPack, checkFuseWire, electronBinaryPath, FUSE_STATE, fuseConfiguration, REQUIRED_FUSES, unsettableFuses } from './after-pack.cjs'

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const ON = FUSE_STATE.ENABLE
const OFF = FUSE_STATE.DISABLE

/** Fuse states of an unmodified Electron binary (RunAsNode, cookies, NODE_OPTIONS, inspect, integrity, asar-only, snapshot, file://) plus one fuse newer than @electron/fuses knows. */
const ELECTRON_DEFAULTS = [ON, OFF, ON, ON, OFF, OFF, OFF, ON, ON]

/** What the hook must leave in the binary: the six security fuses as the issue demands, the two others, and the unknown ninth untouched. */
const HARDENED = [OFF, ON, OFF, OFF, ON, ON, OFF, ON, ON]

function fakeElectronBinary(states: number[], version = 1): Buffer {
  return Buffer.concat([Buffer.from('\x7fELF fake electron '), Buffer.from(SENTINEL, 'latin1'), Buffer.from([version, states.length, ...states]), Buffer.from(' rest of binary')])
}

function wireStates(binary: Buffer): number[] {
  const start = binary.indexOf(SENTINEL) + SENTINEL.length
  return [...binary.subarray(start + 2, start + 2 + binary[start + 1]!)]
}

function wire(states: number[]): Record<string, unknown> {
  return { version: '1', ...Object.fromEntries(states.map((state, index) => [String(index), state])) }
}

describe('the required fuses', () => {
  it('are the issue’s six security fuses with the required states, plus two that keep behaviour', () => {
    const security = Object.fromEntries(REQUIRED_FUSES.filter((fuse) => fuse.security).map((fuse) => [fuse.name, fuse.enabled]))
    expect(security).toEqual({
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      OnlyLoadAppFromAsar: true,
      EnableEmbeddedAsarIntegrityValidation: true,
      EnableCookieEncryption: true,
    })
    expect(REQUIRED_FUSES.filter((fuse) => !fuse.security).map((fuse) => [fuse.name, fuse.enabled])).toEqual([
      ['LoadBrowserProcessSpecificV8Snapshot', false],
      ['GrantFileProtocolExtraPrivileges', true],
    ])
  })

  it('are what the @electron/fuses configuration sets, by wire index', () => {
    expect(fuseConfiguration()).toEqual({ version: '1', 0: false, 1: true, 2: false, 3: false, 4: true, 5: true, 6: false, 7: true })
  })
})

describe('checkFuseWire', () => {
  it('accepts a hardened wire and lists each fuse', () => {
    const result = checkFuseWire(wire(HARDENED))
    expect(result).toMatchObject({ ok: true, problems: [] })
    expect(result.fuses).toContain('RunAsNode=off')
    expect(result.fuses).toContain('OnlyLoadAppFromAsar=on')
  })

  it('names every fuse of an untouched Electron binary that is wrong', () => {
    expect(checkFuseWire(wire(ELECTRON_DEFAULTS)).problems).toEqual([
      'RunAsNode is on, must be off',
      'EnableCookieEncryption is off, must be on',
      'EnableNodeOptionsEnvironmentVariable is on, must be off',
      'EnableNodeCliInspectArguments is on, must be off',
      'EnableEmbeddedAsarIntegrityValidation is off, must be on',
      'OnlyLoadAppFromAsar is off, must be on',
    ])
  })

  it('fails for a single wrong fuse, a removed fuse, a wire too short and an unknown wire version', () => {
    const runAsNode = [...HARDENED]
    runAsNode[0] = ON
    expect(checkFuseWire(wire(runAsNode))).toMatchObject({ ok: false, problems: ['RunAsNode is on, must be off'] })
    const removed = [...HARDENED]
    removed[5] = FUSE_STATE.REMOVED
    expect(checkFuseWire(wire(removed)).problems).toEqual(['OnlyLoadAppFromAsar is removed from this Electron, must be on'])
    expect(checkFuseWire(wire(HARDENED.slice(0, 4))).problems).toContain('EnableEmbeddedAsarIntegrityValidation is missing from this Electron’s fuse wire, must be on')
    expect(checkFuseWire({ ...wire(HARDENED), version: '2' })).toMatchObject({ ok: false, problems: [expect.stringMatching(/unsupported fuse wire version 2/u)] })
  })
})

describe('unsettableFuses (the binary before flipping)', () => {
  it('accepts an untouched Electron binary with an extra fuse', () => {
    expect(unsettableFuses(wire(ELECTRON_DEFAULTS))).toEqual([])
  })

  it('names a fuse Electron removed or does not have yet', () => {
    const removed = [...ELECTRON_DEFAULTS]
    removed[2] = FUSE_STATE.REMOVED
    expect(unsettableFuses(wire(removed))).toEqual(['EnableNodeOptionsEnvironmentVariable is removed from this Electron, cannot be set off'])
    expect(unsettableFuses(wire(ELECTRON_DEFAULTS.slice(0, 7)))).toEqual(['GrantFileProtocolExtraPrivileges is missing from this Electron’s fuse wire, cannot be set on'])
  })
})

describe('electronBinaryPath', () => {
  const packager = { appInfo: { productFilename: 'Ciphermoon' }, executableName: 'ciphermoon' }
  it('names the binary electron-builder packs for each platform', () => {
    expect(electronBinaryPath({ appOutDir: '/d/mac-arm64', electronPlatformName: 'darwin', packager })).toBe('/d/mac-arm64/Ciphermoon.app')
    expect(electronBinaryPath({ appOutDir: '/d/mas', electronPlatformName: 'mas', packager })).toBe('/d/mas/Ciphermoon.app')
    expect(electronBinaryPath({ appOutDir: '/d/win-unpacked', electronPlatformName: 'win32', packager })).toBe('/d/win-unpacked/Ciphermoon.exe')
    expect(electronBinaryPath({ appOutDir: '/d/linux-unpacked', electronPlatformName: 'linux', packager })).toBe('/d/linux-unpacked/ciphermoon')
    expect(() => electronBinaryPath({ appOutDir: '/d', electronPlatformName: 'aix', packager })).toThrow(/unknown platform aix/u)
  })
})

describe('afterPack against a fake Electron binary', () => {
  let appOutDir: string
  const context = () => ({ appOutDir, electronPlatformName: 'linux', packager: { appInfo: { productFilename: 'Ciphermoon' }, executableName: 'ciphermoon' } })
  const binary = () => join(appOutDir, 'ciphermoon')

  beforeEach(() => {
    appOutDir = mkdtempSync(join(tmpdir(), 'after-pack-'))
    vi.spyOn(console, 'log').mockImplementation(() => undefined)
    vi.spyOn(console, 'warn').mockImplementation(() => undefined)
  })
  afterEach(() => {
    vi.restoreAllMocks()
    rmSync(appOutDir, { recursive: true, force: true })
  })

  it('sets the fuses in the binary, reads them back, and leaves unknown fuses and the rest of the file alone', async () => {
    writeFileSync(binary(), fakeElectronBinary(ELECTRON_DEFAULTS))
    await expect(afterPack(context())).resolves.toBeUndefined()
    const written = readFileSync(binary())
    expect(wireStates(written)).toEqual(HARDENED)
    expect(written.length).toBe(fakeElectronBinary(ELECTRON_DEFAULTS).length)
    expect(written.toString('latin1')).toMatch(/ rest of binary$/u)
    expect(console.log).toHaveBeenCalledWith(expect.stringMatching(/fuses verified \(RunAsNode=off, /u))
  })

  it('fails the build when a required fuse cannot be set (removed in this Electron)', async () => {
    const removed = [...ELECTRON_DEFAULTS]
    removed[0] = FUSE_STATE.REMOVED
    writeFileSync(binary(), fakeElectronBinary(removed))
    await expect(afterPack(context())).rejects.toThrow(/cannot take the required fuses: RunAsNode is removed from this Electron, cannot be set off/u)
    expect(wireStates(readFileSync(binary()))).toEqual(removed)
  })

  it('fails the build for a binary whose fuse wire is too short or that has none', async () => {
    writeFileSync(binary(), fakeElectronBinary(ELECTRON_DEFAULTS.slice(0, 5)))
    await expect(afterPack(context())).rejects.toThrow(/OnlyLoadAppFromAsar is missing from this Electron’s fuse wire/u)
    writeFileSync(binary(), Buffer.from('no sentinel here'))
    await expect(afterPack(context())).rejects.toThrow(/Could not find sentinel/u)
  })
})
