/** Types for build/notarize.cjs (the electron-builder afterSign hook). */
export type NotarizeDecision =
  | { action: 'notarize'; appleId: string; appleIdPassword: string; teamId: string }
  | { action: 'skip'; reason: string }
  | { action: 'fail'; reason: string }

export declare const CREDENTIAL_VARIABLES: readonly ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']

export declare function notarizeDecision(platformName: string, env: Record<string, string | undefined>): NotarizeDecision

export declare function afterSign(context: {
  electronPlatformName: string
  appOutDir: string
  packager: { appInfo: { productFilename: string } }
}): Promise<void>
