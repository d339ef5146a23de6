/**
 * electron-builder `afterPack` hook (build/electron-builder.yml): sets the Electron fuses of the packed
 * app's binary with @electron/fuses, reads them back from the binary, and fails the build when any
 * fuse is not as required (ARCHITECTURE.md "Security posture"; issue 5 "Hardening"):
 *
 *   RunAsNode off                              no ELECTRON_RUN_AS_NODE: the app binary is not a Node.js
 *   EnableNodeOptionsEnvironmentVariable off   NODE_OPTIONS cannot inject code or flags
 *   EnableNodeCliInspectArguments off          --inspect / --inspect-brk do not open a debugger
 *   OnlyLoadAppFromAsar on                     app code only from app.asar (no app/ folder beside it)
 *   EnableEmbeddedAsarIntegrityValidation on   app.asar is checked against the hash in the binary
 *   EnableCookieEncryption on                  the cookie store is encrypted with the OS keychain key
 *
 * plus two that only keep Electron's behaviour: no browser-process V8 snapshot, and file:// keeps its
 * extra privileges (the renderer is loaded from file://; its module scripts need them).
 *
 * Why here and not in electron-builder's `electronFuses` block: electron-builder flips that block's fuses
 * *after* afterPack (app-builder-lib platformPackager.doPack: emitAfterPack, then doAddElectronFuses,
 * then signing), so a check in this hook could never see them. This hook is therefore the one place that
 * sets them, and the configuration has no `electronFuses` block (which would otherwise flip them again,
 * unchecked). Signing (macOS, Windows) still comes after this hook, as electron-builder requires.
 *
 * The decisions are pure functions (tested in build/after-pack.test.ts, also against a small fake binary
 * with the real @electron/fuses); `afterPack` does the I/O.
 */
'use strict'

const path = require('node:path')
const { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } = require('@electron/fuses')

/** How a fuse's state is stored in the binary's fuse wire (@electron/fuses constants.FuseState). */
const FUSE_STATE = Object.freeze({ DISABLE: 0x30, ENABLE: 0x31, REMOVED: 0x72 })

/**
 * Every fuse this app sets, with the state the packaged binary must have. `security: true` marks the
 * ones the security posture requires; the others keep a behaviour the app relies on.
 * @type {ReadonlyArray<{ name: keyof typeof FuseV1Options, enabled: boolean, security: boolean }>}
 */
const REQUIRED_FUSES = Object.freeze([
  { name: 'RunAsNode', enabled: false, security: true },
  { name: 'EnableCookieEncryption', enabled: true, security: true },
  { name: 'EnableNodeOptionsEnvironmentVariable', enabled: false, security: true },
  { name: 'EnableNodeCliInspectArguments', enabled: false, security: true },
  { name: 'EnableEmbeddedAsarIntegrityValidation', enabled: true, security: true },
  { name: 'OnlyLoadAppFromAsar', enabled: true, security: true },
  { name: 'LoadBrowserProcessSpecificV8Snapshot', enabled: false, security: false },
  { name: 'GrantFileProtocolExtraPrivileges', enabled: true, security: false },
])

/**
 * The binary whose fuse wire holds the fuses, as electron-builder names it (app-builder-lib
 * platformPackager.addElectronFuses): `<productFilename>.app` on macOS (@electron/fuses finds the
 * Electron Framework inside), `<productFilename>.exe` on Windows, `<executableName>` on Linux.
 * @param {{ appOutDir: string, electronPlatformName: string, packager: { appInfo: { productFilename: string }, executableName?: string } }} context
 * @returns {string}
 */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`)
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`)
    case 'linux':
      if (!packager.executableName) throw new Error('after-pack: the Linux packager has no executableName')
      return path.join(appOutDir, packager.executableName)
    default:
      throw new Error(`after-pack: unknown platform ${electronPlatformName}`)
  }
}

/** The @electron/fuses configuration that sets every fuse in REQUIRED_FUSES. */
function fuseConfiguration() {
  /** @type {Record<string, unknown>} */
  const config = { version: FuseVersion.V1 }
  for (const fuse of REQUIRED_FUSES) config[FuseV1Options[fuse.name]] = fuse.enabled
  return config
}

/** @param {number | undefined} state */
function describeState(state) {
  if (state === FUSE_STATE.ENABLE) return 'on'
  if (state === FUSE_STATE.DISABLE) return 'off'
  if (state === FUSE_STATE.REMOVED) return 'removed from this Electron'
  if (state === undefined) return 'missing from this Electron’s fuse wire'
  return `unknown state 0x${state.toString(16)}`
}

/**
 * Compares a fuse wire read from a binary (`getCurrentFuseWire`: `{ version, 0: state, 1: state, … }`)
 * with REQUIRED_FUSES. Pure.
 * @param {Record<string, unknown>} wire
 * @returns {{ ok: boolean, problems: string[], fuses: string[] }}
 */
function checkFuseWire(wire) {
  if (wire.version !== FuseVersion.V1) {
    return { ok: false, problems: [`unsupported fuse wire version ${String(wire.version)} (expected ${FuseVersion.V1})`], fuses: [] }
  }
  const problems = []
  const fuses = []
  for (const fuse of REQUIRED_FUSES) {
    const raw = wire[FuseV1Options[fuse.name]]
    const state = typeof raw === 'number' ? raw : undefined
    const expected = fuse.enabled ? FUSE_STATE.ENABLE : FUSE_STATE.DISABLE
    fuses.push(`${fuse.name}=${describeState(state)}`)
    if (state !== expected) problems.push(`${fuse.name} is ${describeState(state)}, must be ${fuse.enabled ? 'on' : 'off'}`)
  }
  return { ok: problems.length === 0, problems, fuses }
}

/**
 * Fuses of REQUIRED_FUSES that this binary cannot honour, from its wire *before* flipping: missing
 * (an Electron older than the fuse) or removed (Electron dropped it; @electron/fuses would still write
 * the byte, with only a warning, so the read-back after flipping cannot tell). Pure.
 * @param {Record<string, unknown>} wire
 * @returns {string[]}
 */
function unsettableFuses(wire) {
  const problems = []
  for (const fuse of REQUIRED_FUSES) {
    const raw = wire[FuseV1Options[fuse.name]]
    if (raw === undefined || raw === FUSE_STATE.REMOVED) {
      problems.push(`${fuse.name} is ${describeState(typeof raw === 'number' ? raw : undefined)}, cannot be set ${fuse.enabled ? 'on' : 'off'}`)
    }
  }
  return problems
}

/**
 * The hook. Refuses a binary that cannot take every fuse, sets them, then reads them back from the
 * written binary and throws (failing the build) if any differs from REQUIRED_FUSES.
 * @param {{ appOutDir: string, electronPlatformName: string, packager: { appInfo: { productFilename: string }, executableName?: string } }} context
 */
async function afterPack(context) {
  const binary = electronBinaryPath(context)
  console.log(`  • after-pack: setting Electron fuses in ${binary}`)
  const unsettable = unsettableFuses(await getCurrentFuseWire(binary))
  if (unsettable.length > 0) throw new Error(`after-pack: this Electron binary cannot take the required fuses: ${unsettable.join('; ')}`)
  await flipFuses(binary, fuseConfiguration())
  const result = checkFuseWire(await getCurrentFuseWire(binary))
  if (!result.ok) throw new Error(`after-pack: the packaged Electron binary's fuses are wrong: ${result.problems.join('; ')}`)
  console.log(`  • after-pack: fuses verified (${result.fuses.join(', ')})`)
}

module.exports = { afterPack, checkFuseWire, unsettableFuses, electronBinaryPath, fuseConfiguration, FUSE_STATE, REQUIRED_FUSES }
