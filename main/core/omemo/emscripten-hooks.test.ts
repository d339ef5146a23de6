import { KeyHelper } from '@privacyresearch/libsignal-protocol-typescript'
import { describe, expect, it } from 'vitest'
import { removeEmscriptenProcessHooks } from './emscripten-hooks.ts'

describe('libsignal process hooks', () => {
  it('are removed, so a stray rejection elsewhere does not abort the app', async () => {
    await KeyHelper.generateIdentityKeyPair()
    removeEmscriptenProcessHooks()
    expect(process.listeners('unhandledRejection').map((listener) => listener.name)).not.toContain('abort')
    expect(process.listeners('uncaughtException').some((listener) => listener.toString().includes('ExitStatus'))).toBe(false)
    // Keys can still be made afterwards.
    expect((await KeyHelper.generateIdentityKeyPair()).pubKey.byteLength).toBe(33)
  })
})
