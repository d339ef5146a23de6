/** Types for build/after-pack.cjs (the electron-builder afterPack hook that sets and verifies the fuses). */
export interface AfterPackContextLike {
  appOutDir: string
  electronPlatformName: string
  packager: { appInfo: { productFilename: string }; executableName?: string }
}

export interface RequiredFuse {
  name:
    | 'RunAsNode'
    | 'EnableCookieEncryption'
    | 'EnableNodeOptionsEnvironmentVariable'
    | 'EnableNodeCliInspectArguments'
    | 'EnableEmbeddedAsarIntegrityValidation'
    | 'OnlyLoadAppFromAsar'
    | 'LoadBrowserProcessSpecificV8Snapshot'
    | 'GrantFileProtocolExtraPrivileges'
  enabled: boolean
  security: boolean
}

export declare const REQUIRED_FUSES: readonly RequiredFuse[]
export declare const FUSE_STATE: Readonly<{ DISABLE: number; ENABLE: number; REMOVED: number }>

export declare function electronBinaryPath(context: AfterPackContextLike): string
export declare function fuseConfiguration(): Record<string, unknown>
export declare function checkFuseWire(wire: Record<string, unknown>): { ok: boolean; problems: string[]; fuses: string[] }
export declare function unsettableFuses(wire: Record<string, unknown>): string[]
export declare function afterPack(context: AfterPackContextLike): Promise<void>
