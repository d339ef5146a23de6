import { describe, expect, it } from 'vitest'
import { MAX_URI_LENGTH, parseXmppUri } from './xmpp-uri.ts'

const FP = 'ab'.repeat(32)
const FP2 = '0123456789abcdef'.repeat(4)

describe('parseXmppUri: accepted links', () => {
  const cases: Array<[string, ReturnType<typeof parseXmppUri>]> = [
    ['xmpp:alice@example.org', { kind: 'chat', jid: 'alice@example.org' }],
    ['  xmpp:alice@example.org\n', { kind: 'chat', jid: 'alice@example.org' }],
    ['XMPP:Alice@Example.ORG', { kind: 'chat', jid: 'alice@example.org' }],
    ['xmpp:alice@example.org?', { kind: 'chat', jid: 'alice@example.org' }],
    ['xmpp:alice@example.org?message', { kind: 'chat', jid: 'alice@example.org' }],
    ['xmpp:alice@example.org?message;', { kind: 'chat', jid: 'alice@example.org' }],
    ['xmpp:alice@example.org?message;body=hello%20there;subject=hi', { kind: 'chat', jid: 'alice@example.org' }],
    ['xmpp:alice@example.org?message;body=see%20https://evil.example', { kind: 'chat', jid: 'alice@example.org' }],
    ['xmpp:alice@example.org/phone?message', { kind: 'chat', jid: 'alice@example.org' }],
    ['xmpp:alice@example.org/phone', { kind: 'chat', jid: 'alice@example.org' }],
    ['xmpp:al%C3%AFce@example.org', { kind: 'chat', jid: 'alïce@example.org' }],
    ['xmpp:bob@127.0.0.1', { kind: 'chat', jid: 'bob@127.0.0.1' }],
    ['xmpp:bob@xn--bcher-kva.example', { kind: 'chat', jid: 'bob@xn--bcher-kva.example' }],
    ['xmpp:room@conference.example.org?join', { kind: 'join', room: 'room@conference.example.org' }],
    ['xmpp:room@conference.example.org?join;password=secret', { kind: 'join', room: 'room@conference.example.org' }],
    ['xmpp:bob@example.org?roster', { kind: 'roster', jid: 'bob@example.org', name: null }],
    ['xmpp:bob@example.org?roster;name=Bob%20B.;group=Friends', { kind: 'roster', jid: 'bob@example.org', name: 'Bob B.' }],
    ['xmpp:bob@example.org?subscribe', { kind: 'roster', jid: 'bob@example.org', name: null }],
    [
      `xmpp:bob@example.org?omemo-sid-123=${FP}`,
      { kind: 'verify', jid: 'bob@example.org', uri: `xmpp:bob@example.org?omemo-sid-123=${FP}`, claims: [{ jid: 'bob@example.org', deviceId: 123, fingerprint: FP }] },
    ],
    [
      `XMPP:Bob@example.org?omemo-sid-1=${FP.toUpperCase()};omemo-sid-2147483647=${FP2}`,
      {
        kind: 'verify',
        jid: 'bob@example.org',
        uri: `xmpp:Bob@example.org?omemo-sid-1=${FP.toUpperCase()};omemo-sid-2147483647=${FP2}`,
        claims: [
          { jid: 'bob@example.org', deviceId: 1, fingerprint: FP },
          { jid: 'bob@example.org', deviceId: 2147483647, fingerprint: FP2 },
        ],
      },
    ],
  ]
  it.each(cases)('%s', (uri, expected) => {
    expect(parseXmppUri(uri)).toEqual(expected)
  })
})

describe('parseXmppUri: refused links', () => {
  const hostile: Array<[string, unknown, RegExp]> = [
    ['empty', '', /empty/u],
    ['only spaces', '   ', /empty/u],
    ['not a string', 42, /not text/u],
    ['null', null, /not text/u],
    ['object', { toString: () => 'xmpp:a@b' }, /not text/u],
    ['javascript:', 'javascript:alert(1)', /Only xmpp:/u],
    ['JaVaScRiPt: with xmpp inside', 'JaVaScRiPt:alert("xmpp:a@b")', /Only xmpp:/u],
    ['data:', 'data:text/html,<script>alert(1)</script>', /Only xmpp:/u],
    ['https', 'https://example.org/?xmpp:alice@example.org', /Only xmpp:/u],
    ['file', 'file:///etc/passwd', /Only xmpp:/u],
    ['no scheme', 'alice@example.org', /Only xmpp:/u],
    ['look-alike scheme', 'xmpps:alice@example.org', /Only xmpp:/u],
    ['scheme with leading junk', '"xmpp:alice@example.org', /Only xmpp:/u],
    ['authority with password', 'xmpp://alice:hunter2@example.org/bob@example.org', /password/u],
    ['authority with port', 'xmpp://example.org:5222/bob@example.org', /password or port/u],
    ['authority form', 'xmpp://alice@example.org/bob@example.org?message', /choose the account/u],
    ['bare authority', 'xmpp://', /choose the account/u],
    ['nothing after scheme', 'xmpp:', /does not name an address/u],
    ['only a query', 'xmpp:?message', /does not name an address/u],
    ['absolute path', 'xmpp:/alice@example.org', /does not name an address/u],
    ['domain only', 'xmpp:example.org', /name@example.org/u],
    ['no domain', 'xmpp:alice@', /name@example.org/u],
    ['no local part', 'xmpp:@example.org', /name@example.org/u],
    ['two @', 'xmpp:alice@evil@example.org', /name@example.org/u],
    ['encoded @ in local part', 'xmpp:alice%40evil@example.org', /address in the link is not valid/u],
    ['encoded slash in domain', 'xmpp:alice@example.org%2Fx', /server name/u],
    ['quote in local part', "xmpp:al'ice@example.org", /address in the link is not valid/u],
    ['angle brackets', 'xmpp:<script>@example.org', /address in the link is not valid/u],
    ['encoded angle brackets', 'xmpp:%3Cscript%3E@example.org', /address in the link is not valid/u],
    ['underscore domain', 'xmpp:alice@exa_mple.org', /server name/u],
    ['empty label', 'xmpp:alice@example..org', /server name/u],
    ['trailing dot', 'xmpp:alice@example.org.', /server name/u],
    ['hyphen label', 'xmpp:alice@-example.org', /server name/u],
    ['ipv6 literal', 'xmpp:alice@[::1]', /server name|another link/u],
    ['over-long local part', `xmpp:${'a'.repeat(1024)}@example.org`, /address in the link is not valid/u],
    ['over-long label', `xmpp:alice@${'a'.repeat(64)}.org`, /server name/u],
    ['over-long link', `xmpp:alice@example.org?message;body=${'x'.repeat(MAX_URI_LENGTH)}`, /longer than 4096/u],
    ['NUL', 'xmpp:alice@example.org\u0000', /control/u],
    ['newline inside', 'xmpp:alice@example.org\n?roster', /control/u],
    ['tab inside', 'xmpp:alice\t@example.org', /control/u],
    ['DEL', 'xmpp:alice\u007f@example.org', /control/u],
    ['C1 control', 'xmpp:alice\u0085@example.org', /control/u],
    ['encoded NUL', 'xmpp:alice%00@example.org', /control/u],
    ['encoded newline in name', 'xmpp:bob@example.org?roster;name=a%0Ab', /control/u],
    ['bidi override', 'xmpp:alice\u202e@example.org', /invisible/u],
    ['encoded bidi override', 'xmpp:gro.elpmaxe@%E2%80%AEalice', /invisible/u],
    ['zero-width space', 'xmpp:ali\u200bce@example.org', /invisible/u],
    ['BOM', 'xmpp:\ufeffalice@example.org', /invisible/u],
    ['line separator', 'xmpp:alice@example.org\u2028', /invisible/u],
    ['lone surrogate', 'xmpp:alice\ud800@example.org', /invisible/u],
    ['space', 'xmpp:alice @example.org', /spaces/u],
    ['no-break space', 'xmpp:alice\u00a0@example.org', /spaces/u],
    ['bad escape', 'xmpp:alice%zz@example.org', /%-escape/u],
    ['truncated escape', 'xmpp:alice@example.org%', /%-escape/u],
    ['invalid UTF-8 escape', 'xmpp:alice%C3@example.org', /%-escape/u],
    ['overlong UTF-8 escape', 'xmpp:alice%C0%AF@example.org', /%-escape/u],
    ['bad escape in parameter', 'xmpp:bob@example.org?roster;name=%E0%A4%A', /%-escape/u],
    ['nested xmpp link', 'xmpp:xmpp:alice@example.org', /another link/u],
    ['nested javascript', 'xmpp:javascript:alert(1)//@example.org', /another link/u],
    ['nested https', 'xmpp:alice@example.org/https://evil.example', /another link/u],
    ['encoded nested link', 'xmpp:javascript%3Aalert(1)@example.org', /another link/u],
    ['nested link in roster name', 'xmpp:bob@example.org?roster;name=javascript:alert(1)', /another link/u],
    ['url in roster name', 'xmpp:bob@example.org?roster;name=see%20https://evil.example', /another link/u],
    ['fragment', 'xmpp:alice@example.org#x', /fragment/u],
    ['resource on join', 'xmpp:room@conference.example.org/nick?join', /without a \/resource/u],
    ['resource on roster', 'xmpp:bob@example.org/phone?roster', /without a \/resource/u],
    ['resource on subscribe', 'xmpp:bob@example.org/phone?subscribe', /without a \/resource/u],
    ['resource on verification', `xmpp:bob@example.org/phone?omemo-sid-1=${FP}`, /without a \/resource/u],
    ['empty resource', 'xmpp:alice@example.org/', /resource/u],
    ['over-long resource', `xmpp:alice@example.org/${'r'.repeat(1024)}`, /resource/u],
    ['unsupported action', 'xmpp:alice@example.org?remove', /does not support/u],
    ['unregister action', 'xmpp:example.org@example.org?unregister', /does not support/u],
    ['upper-case action', 'xmpp:alice@example.org?MESSAGE', /understand/u],
    ['action with symbols', 'xmpp:alice@example.org?mes$age', /understand/u],
    ['second question mark', 'xmpp:alice@example.org?message?join', /understand/u],
    ['malformed parameter', 'xmpp:alice@example.org?message;body', /malformed parameter/u],
    ['parameter key with symbols', 'xmpp:alice@example.org?message;b<o>dy=x', /malformed parameter/u],
    ['repeated parameter', 'xmpp:bob@example.org?roster;name=a;name=b', /repeats/u],
    ['over-long name', `xmpp:bob@example.org?roster;name=${'n'.repeat(201)}`, /too long/u],
    ['short fingerprint', `xmpp:bob@example.org?omemo-sid-1=${FP.slice(2)}`, /malformed fingerprint/u],
    ['non-hex fingerprint', `xmpp:bob@example.org?omemo-sid-1=${'zz'.repeat(32)}`, /malformed fingerprint/u],
    ['device id 0', `xmpp:bob@example.org?omemo-sid-0=${FP}`, /out of range/u],
    ['device id too big', `xmpp:bob@example.org?omemo-sid-2147483648=${FP}`, /out of range/u],
    ['device id not a number', `xmpp:bob@example.org?omemo-sid-x1=${FP}`, /only carry omemo-sid/u],
    ['verification plus other parameter', `xmpp:bob@example.org?omemo-sid-1=${FP};body=hi`, /only carry omemo-sid/u],
    ['repeated device', `xmpp:bob@example.org?omemo-sid-1=${FP};omemo-sid-1=${FP2}`, /repeats/u],
  ]
  it.each(hostile)('%s', (_label, uri, reason) => {
    const result = parseXmppUri(uri as string)
    expect(result).toHaveProperty('invalid')
    expect((result as { invalid: string }).invalid).toMatch(reason)
  })

  it('never repeats the link text in the reason', () => {
    const reasons = hostile.map(([, uri]) => (parseXmppUri(uri as string) as { invalid: string }).invalid)
    for (const reason of reasons) expect(reason).not.toMatch(/alert|evil|hunter2|script|phone|secret|<|\u202e|\u0000/u)
    // A fixed set of messages, whatever the input.
    expect(new Set(reasons).size).toBeLessThan(30)
  })

  it('never throws on random input', () => {
    let seed = 7
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const alphabet = ['xmpp:', '@', '/', '?', ';', '=', '%', '%4', '%C3', '#', ':', '//', 'a', '.', 'omemo-sid-1=', '\u202e', '\u0000', ' ', 'join', 'roster']
    for (let i = 0; i < 2000; i++) {
      let uri = ''
      const length = Math.floor(random() * 12)
      for (let j = 0; j < length; j++) uri += alphabet[Math.floor(random() * alphabet.length)]
      expect(() => parseXmppUri(uri)).not.toThrow()
      const result = parseXmppUri(uri)
      if (!('invalid' in result)) expect(uri.trim().toLowerCase().startsWith('xmpp:')).toBe(true)
    }
  })
})
