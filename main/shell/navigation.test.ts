import { describe, expect, it } from 'vitest'
import { externalLinkPrompt, externalLinkTarget } from './navigation.ts'

describe('externalLinkTarget', () => {
  it.each([
    ['https://example.org/a?b#c', 'https://example.org/a?b#c'],
    ['http://example.org', 'http://example.org/'],
    ['HTTPS://EXAMPLE.org/x', 'https://example.org/x'],
  ])('offers %s', (url, expected) => {
    expect(externalLinkTarget(url)).toBe(expected)
  })

  it.each([
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<b>x</b>',
    'xmpp:alice@example.org',
    'smb://host/share',
    'ms-msdt:/id',
    'https://user:pass@example.org/',
    'https://bank.example@evil.example/',
    'not a url',
    '',
    'http://',
  ])('refuses %s', (url) => {
    expect(externalLinkTarget(url)).toBeNull()
  })
})

describe('externalLinkPrompt', () => {
  it('shows the full URL, shortened only when very long', () => {
    expect(externalLinkPrompt('https://example.org/').detail).toBe('https://example.org/')
    expect(externalLinkPrompt(`https://example.org/${'a'.repeat(1000)}`).detail).toHaveLength(501)
  })
})
