import { connect as netConnect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Core } from '../core-types.ts'
import { startBridge, type Bridge } from './bridge-server.ts'
import { connect, makeCore, makeSandbox, UpgradeRefused, type Sandbox } from './test-support.ts'

let sandbox: Sandbox
let core: Core
let bridge: Bridge

beforeAll(async () => {
  sandbox = makeSandbox()
  core = await makeCore(sandbox.dataDir)
  bridge = await startBridge({ core, staticDir: sandbox.staticDir, host: '127.0.0.1', port: 0 })
})

afterAll(async () => {
  await bridge?.close()
  await core?.close()
  sandbox?.cleanup()
})

/** One raw HTTP/1.1 request, path sent byte for byte (no client-side normalisation). */
function rawGet(path: string, host = `127.0.0.1:${bridge.port}`, method = 'GET'): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port: bridge.port })
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const [head = '', body = ''] = text.split('\r\n\r\n')
      resolve({ status: Number(head.split(' ')[1]), head: head.toLowerCase(), body })
    })
    socket.write(`${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)
  })
}

async function expectRefused(promise: Promise<unknown>, status: number): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(UpgradeRefused)
  expect((error as UpgradeRefused).status).toBe(status)
}

describe('listening', () => {
  it('gives a loopback URL with a 64-hex-digit token', () => {
    expect(bridge.token).toMatch(/^[0-9a-f]{64}$/u)
    expect(bridge.url).toBe(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`)
  })

  it('refuses to listen anywhere but 127.0.0.1', async () => {
    await expect(startBridge({ core, staticDir: sandbox.staticDir, host: '0.0.0.0' as '127.0.0.1' })).rejects.toThrow(/127\.0\.0\.1 only/u)
  })

  it('is not reachable on other interfaces', async () => {
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && !address.internal)
      .map((address) => address!.address)
    for (const address of others) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = netConnect({ host: address, port: bridge.port })
        socket.once('connect', () => {
          socket.destroy()
          resolve('connected')
        })
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
      })
      expect(outcome, address).not.toBe('connected')
    }
  })
})

describe('static files', () => {
  it('serves index.html with the CSP and the other security headers', async () => {
    const response = await fetch(`http://127.0.0.1:${bridge.port}/?token=${bridge.token}`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; ` +
        `connect-src 'self' ws://127.0.0.1:${bridge.port}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    )
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    expect(await response.text()).toContain('<title>t</title>')
  })

  it('serves assets with their content types', async () => {
    const js = await fetch(`http://127.0.0.1:${bridge.port}/assets/app.js`)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await js.text()).toBe('console.log("app")')
    const css = await fetch(`http://127.0.0.1:${bridge.port}/assets/style.css`)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
  })

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await rawGet('/assets/app.js', undefined, 'HEAD')
    expect(head.status).toBe(200)
    expect(head.body).toBe('')
    expect((await rawGet('/assets/app.js', undefined, 'POST')).status).toBe(405)
    expect((await rawGet('/assets/app.js', undefined, 'PUT')).status).toBe(405)
  })

  it.each([
    '/../package.json',
    '/../secret.txt',
    '/%2e%2e/package.json',
    '/%2E%2E/secret.txt',
    '/..%2fpackage.json',
    '/..%2Fsecret.txt',
    '/%2e%2e%2fpackage.json',
    '/assets/..%2f..%2fpackage.json',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%5csecret.txt',
    '/..\\secret.txt',
    '/%252e%252e/secret.txt',
    '/escape/secret.txt',
    '/escape/package.json',
    '/%00index.html',
    '/index.html%00.js',
    '/%e0%a4%a',
    '/assets',
    '/assets/',
    '//etc/passwd',
    '/nonexistent.js',
  ])('does not serve %s', async (path) => {
    const response = await rawGet(path)
    expect([400, 404]).toContain(response.status)
    expect(response.body).not.toContain('SECRET')
    expect(response.body).not.toContain('must-not-be-served')
  })

  it('refuses a request for another Host (DNS rebinding)', async () => {
    expect((await rawGet('/', `evil.example:${bridge.port}`)).status).toBe(421)
    expect((await rawGet('/', `localhost:${bridge.port}`)).status).toBe(421)
  })

  it('answers a missing /favicon.ico with 204, not a 404 console error', async () => {
    expect((await rawGet('/favicon.ico')).status).toBe(204)
  })

  it('answers a plain GET of the bridge path with 426', async () => {
    expect((await rawGet('/bridge')).status).toBe(426)
  })
})

describe('upgrade checks', () => {
  it('accepts the right token from our own origin', async () => {
    const client = await connect(bridge.port, bridge.token)
    expect(await client.call('app:state', {})).toEqual({
      ok: true,
      result: { phase: 'ready', databaseExists: true, keyProtection: 'keychain' },
    })
    client.close()
  })

  it('refuses a wrong, missing, repeated or truncated token with 401', async () => {
    await expectRefused(connect(bridge.port, bridge.token, { token: 'f'.repeat(64) }), 401)
    await expectRefused(connect(bridge.port, bridge.token, { token: null }), 401)
    await expectRefused(connect(bridge.port, bridge.token, { token: '' }), 401)
    await expectRefused(connect(bridge.port, bridge.token, { token: bridge.token.slice(0, 63) }), 401)
    await expectRefused(connect(bridge.port, bridge.token, { token: `${bridge.token}0` }), 401)
    await expectRefused(connect(bridge.port, bridge.token, { token: bridge.token.toUpperCase() }), 401)
    await expectRefused(connect(bridge.port, bridge.token, { path: `/bridge?token=${bridge.token}&token=${bridge.token}`, token: null }), 401)
  })

  it('refuses a foreign or missing Origin with 403, even with the right token', async () => {
    for (const origin of [
      'http://evil.example',
      `http://localhost:${bridge.port}`,
      `https://127.0.0.1:${bridge.port}`,
      `http://127.0.0.1:${bridge.port + 1}`,
      `http://127.0.0.1:${bridge.port}/`,
      'null',
      'file://',
    ]) {
      await expectRefused(connect(bridge.port, bridge.token, { origin }), 403)
    }
    await expectRefused(connect(bridge.port, bridge.token, { origin: null }), 403)
  })

  it('refuses a foreign Host header with 403', async () => {
    await expectRefused(connect(bridge.port, bridge.token, { headers: { Host: `evil.example:${bridge.port}` } }), 403)
  })

  it('refuses upgrades on any other path with 404', async () => {
    await expectRefused(connect(bridge.port, bridge.token, { path: '/' }), 404)
    await expectRefused(connect(bridge.port, bridge.token, { path: '/bridge/' }), 404)
  })
})

describe('hostile frames', () => {
  it('answers unknown methods, including prototype names, with unknown-method', async () => {
    const client = await connect(bridge.port, bridge.token)
    for (const method of ['nope:nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'app:state ', 'APP:STATE']) {
      const result = await client.call(method, {})
      expect(result, method).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
    }
    for (const method of [42, null, { toString: 'app:state' }, ['app:state']]) {
      expect(await client.call(method, {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
    }
    client.close()
  })

  it('answers params of the wrong shape with invalid-input', async () => {
    const client = await connect(bridge.port, bridge.token)
    const cases: Array<[string, unknown]> = [
      ['app:state', { extra: 1 }],
      ['app:state', 'string'],
      ['accounts:add', {}],
      ['accounts:add', { jid: 42, password: 'x' }],
      ['accounts:add', { jid: 'a@b', password: 'x', port: 'x' }],
      ['accounts:add', { jid: 'a@b', password: 'x', port: 70000 }],
      ['accounts:remove', { accountId: -1 }],
      ['accounts:remove', { accountId: 1.5 }],
      ['accounts:remove', { accountId: '1' }],
      ['messages:send', { accountId: 1, to: 'x@y', body: '   ' }],
      ['messages:send', { accountId: 1, to: 'x@y', body: 'x'.repeat(100_000) }],
      ['app:unlock', { passphrase: 'p'.repeat(200_000) }],
    ]
    for (const [method, params] of cases) {
      const result = await client.call(method, params)
      expect(result, `${method} ${JSON.stringify(params).slice(0, 60)}`).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    }
    // A `__proto__` key in JSON is an own property, never the prototype; the strict schema refuses it.
    for (const [id, params] of [
      [900, '{"__proto__":{"polluted":true}}'],
      [901, '{"jid":"a@b","password":"x","__proto__":{"polluted":true}}'],
      [902, '{"jid":"a@b","password":"x","constructor":{"prototype":{"polluted":true}}}'],
    ] as const) {
      const result = await client.sendRaw(`{"type":"call","id":${id},"method":"accounts:add","params":${params}}`, id)
      expect(result, params).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(await client.call('accounts:list', {})).toEqual({ ok: true, result: [] })
    client.close()
  })

  it('answers a frame with an id but the wrong type or extra fields with invalid-input', async () => {
    const client = await connect(bridge.port, bridge.token)
    expect(await client.sendRaw(JSON.stringify({ type: 'result', id: 5, method: 'app:state' }), 5)).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    })
    expect(await client.sendRaw(JSON.stringify({ type: 'call', id: 6, method: 'app:state', params: {}, extra: 1 }), 6)).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    })
    client.close()
  })

  it.each([
    ['not JSON', 'hello', 1008],
    ['truncated JSON', '{"type":"call","id":1', 1008],
    ['a JSON array', '[1,2]', 1008],
    ['JSON null', 'null', 1008],
    ['an id that is a string', '{"type":"call","id":"1","method":"app:state"}', 1008],
    ['a negative id', '{"type":"call","id":-1,"method":"app:state"}', 1008],
    ['a fractional id', '{"type":"call","id":1.5,"method":"app:state"}', 1008],
  ])('closes the socket with a policy violation on %s', async (_name, frame, code) => {
    const client = await connect(bridge.port, bridge.token)
    client.ws.send(frame)
    expect((await client.closed).code).toBe(code)
  })

  it('closes the socket on a binary frame (1003)', async () => {
    const client = await connect(bridge.port, bridge.token)
    client.ws.send(Buffer.from(JSON.stringify({ type: 'call', id: 1, method: 'app:state', params: {} })), { binary: true })
    expect((await client.closed).code).toBe(1003)
  })

  it('closes the socket on a frame over the size limit (1009)', async () => {
    const client = await connect(bridge.port, bridge.token)
    client.ws.send(JSON.stringify({ type: 'call', id: 1, method: 'app:unlock', params: { passphrase: 'x'.repeat(300 * 1024) } }))
    expect((await client.closed).code).toBe(1009)
  })

  it('closes the socket on invalid UTF-8 in a text frame (1007)', async () => {
    const client = await connect(bridge.port, bridge.token)
    client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false })
    expect((await client.closed).code).toBe(1007)
  })

  it('keeps serving other and new sockets after all of that', async () => {
    const client = await connect(bridge.port, bridge.token)
    const calls = await Promise.all(Array.from({ length: 50 }, () => client.call('app:state', {})))
    expect(calls.every((result) => result.ok)).toBe(true)
    expect(await client.call('accounts:list', {})).toEqual({ ok: true, result: [] })
    client.close()
  })
})

describe('events', () => {
  it('pushes every core event to every authenticated socket', async () => {
    const first = await connect(bridge.port, bridge.token)
    const second = await connect(bridge.port, bridge.token)
    const changed = await first.call('app:setSettings', { showMessageText: true })
    expect(changed).toMatchObject({ ok: true, result: { showMessageText: true } })
    for (const client of [first, second]) {
      const event = await client.waitForEvent((envelope) => envelope.event === 'app:settingsChanged')
      expect(event.payload).toMatchObject({ showMessageText: true })
    }
    // An account on a closed loopback port is refused by its login check: nothing is stored, no password is echoed.
    const added = await first.call('accounts:add', { jid: 'alice@example.org', password: 'secret-password', host: '127.0.0.1', port: 9 })
    expect(added).toMatchObject({ ok: false, error: { code: 'network' } })
    expect(await first.call('accounts:list', {})).toEqual({ ok: true, result: [] })
    for (const client of [first, second]) expect(JSON.stringify([added, client.events])).not.toContain('secret-password')
    first.close()
    second.close()
  })
})

describe('close', () => {
  it('closes open sockets with 1001 and stops listening', async () => {
    const own = makeSandbox()
    const ownCore = await makeCore(own.dataDir)
    const ownBridge = await startBridge({ core: ownCore, staticDir: own.staticDir })
    try {
      const client = await connect(ownBridge.port, ownBridge.token)
      await ownBridge.close()
      expect((await client.closed).code).toBe(1001)
      await expect(fetch(`http://127.0.0.1:${ownBridge.port}/`)).rejects.toThrow()
      await ownBridge.close() // idempotent
    } finally {
      await ownCore.close()
      own.cleanup()
    }
  })
})
