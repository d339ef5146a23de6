import type { Session, WebContents } from 'electron'

/** Permissions the app may grant to its own page. Everything else (camera, geolocation, …) is denied. */
const GRANTABLE: ReadonlySet<string> = new Set(['notifications'])

export function isPermissionGranted(permission: string, fromAppPage: boolean): boolean {
  return fromAppPage && GRANTABLE.has(permission)
}

type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>

/**
 * Installs the permission handlers on the renderer's session. `isAppWebContents` decides whether a
 * request comes from our own window showing our own page.
 */
export function installPermissionHandlers(session: PermissionSession, isAppWebContents: (contents: WebContents | null) => boolean): void {
  session.setPermissionRequestHandler((contents, permission, callback) => {
    callback(isPermissionGranted(permission, isAppWebContents(contents)))
  })
  session.setPermissionCheckHandler((contents, permission) => isPermissionGranted(permission, isAppWebContents(contents)))
  session.setDevicePermissionHandler(() => false)
}
