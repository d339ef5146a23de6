import { describe, expect, it } from 'vitest'
import { installPermissionHandlers, isPermissionGranted } from './permissions.ts'

describe('isPermissionGranted', () => {
  it('grants notifications to the app page only', () => {
    expect(isPermissionGranted('notifications', true)).toBe(true)
    expect(isPermissionGranted('notifications', false)).toBe(false)
  })

  it.each(['media', 'geolocation', 'openExternal', 'clipboard-read', 'display-capture', 'fullscreen', 'hid', 'serial', 'usb', 'unknown', '__proto__'])(
    'denies %s, even to the app page',
    (permission) => {
      expect(isPermissionGranted(permission, true)).toBe(false)
    },
  )
})

describe('installPermissionHandlers', () => {
  it('wires request, check and device handlers to the same decision', () => {
    const handlers: Record<string, (...args: unknown[]) => unknown> = {}
    const session = {
      setPermissionRequestHandler: (h: never) => (handlers.request = h),
      setPermissionCheckHandler: (h: never) => (handlers.check = h),
      setDevicePermissionHandler: (h: never) => (handlers.device = h),
    }
    const ours = { id: 1 }
    installPermissionHandlers(session as never, (contents) => contents === (ours as never))
    const answers: boolean[] = []
    handlers.request!(ours, 'notifications', (granted: boolean) => answers.push(granted), {})
    handlers.request!({ id: 2 }, 'notifications', (granted: boolean) => answers.push(granted), {})
    handlers.request!(ours, 'media', (granted: boolean) => answers.push(granted), {})
    expect(answers).toEqual([true, false, false])
    expect(handlers.check!(ours, 'notifications', 'file:///', {})).toBe(true)
    expect(handlers.check!(null, 'notifications', 'file:///', {})).toBe(false)
    expect(handlers.check!(ours, 'geolocation', 'file:///', {})).toBe(false)
    expect(handlers.device!({})).toBe(false)
  })
})
