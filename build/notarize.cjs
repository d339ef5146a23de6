/**
 * electron-builder `afterSign` hook (build/electron-builder.yml): notarises the signed macOS app with
 * Apple's notary service and staples the ticket, so Gatekeeper opens the dmg/zip without a warning.
 *
 * Driven by three environment variables, all required:
 *   APPLE_ID                     the Apple developer account's e-mail address
 *   APPLE_APP_SPECIFIC_PASSWORD  an app-specific password for that account (appleid.apple.com)
 *   APPLE_TEAM_ID                the 10-character team ID of the Developer ID certificate
 * Without them (local builds, forks, CI without secrets) it logs why and skips; the app is then signed
 * but not notarised. With only some of them set it fails, because that is a misconfigured release.
 *
 * Prerequisites: a macOS host with Xcode's `notarytool`, a "Developer ID Application" certificate in the
 * keychain (or CSC_LINK/CSC_KEY_PASSWORD), and the @electron/notarize package — electron-builder
 * installs it as its own dependency; if it is ever missing, this hook logs that and skips.
 * electron-builder's built-in notarisation is off (`mac.notarize: false`) so it does not run twice.
 * Only runs when signing happened: electron-builder does not call afterSign for unsigned builds.
 */
'use strict'

const CREDENTIAL_VARIABLES = ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']

/**
 * What the hook should do, from the platform being packaged and the environment (pure).
 * @param {string} platformName electron-builder's `context.electronPlatformName`
 * @param {Record<string, string | undefined>} env
 * @returns {{ action: 'notarize', appleId: string, appleIdPassword: string, teamId: string }
 *   | { action: 'skip', reason: string } | { action: 'fail', reason: string }}
 */
function notarizeDecision(platformName, env) {
  if (platformName !== 'darwin') return { action: 'skip', reason: `not a macOS build (${platformName})` }
  const missing = CREDENTIAL_VARIABLES.filter((name) => !env[name] || env[name].trim() === '')
  if (missing.length === CREDENTIAL_VARIABLES.length) {
    return { action: 'skip', reason: `${CREDENTIAL_VARIABLES.join(', ')} are not set` }
  }
  if (missing.length > 0) return { action: 'fail', reason: `incomplete notarisation credentials: ${missing.join(', ')} not set` }
  return {
    action: 'notarize',
    appleId: String(env.APPLE_ID),
    appleIdPassword: String(env.APPLE_APP_SPECIFIC_PASSWORD),
    teamId: String(env.APPLE_TEAM_ID),
  }
}

/** @param {{ electronPlatformName: string, appOutDir: string, packager: { appInfo: { productFilename: string } } }} context */
async function afterSign(context) {
  const decision = notarizeDecision(context.electronPlatformName, process.env)
  if (decision.action === 'skip') {
    console.log(`  • notarize: skipped — ${decision.reason}`)
    return
  }
  if (decision.action === 'fail') throw new Error(`notarize: ${decision.reason}`)

  let notarize
  try {
    ;({ notarize } = await import('@electron/notarize'))
  } catch (error) {
    console.log(`  • notarize: skipped — @electron/notarize is not installed (${error instanceof Error ? error.message : error})`)
    return
  }
  const appPath = `${context.appOutDir}/${context.packager.appInfo.productFilename}.app` // macOS paths
  console.log(`  • notarize: submitting ${appPath} (team ${decision.teamId})`)
  await notarize({ appPath, appleId: decision.appleId, appleIdPassword: decision.appleIdPassword, teamId: decision.teamId })
  console.log('  • notarize: done, ticket stapled')
}

module.exports = { afterSign, notarizeDecision, CREDENTIAL_VARIABLES }
