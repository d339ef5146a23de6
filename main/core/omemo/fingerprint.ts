/**
 * A device fingerprint as users compare it: hex of the 32-byte Curve25519 identity key (without
 * libsignal's 0x05 type byte), in groups of 8.
 */
export function fingerprintHex(identityKey: Buffer): string {
  const raw = identityKey.length === 33 && identityKey[0] === 0x05 ? identityKey.subarray(1) : identityKey
  return raw.toString('hex')
}

export function groupedFingerprint(identityKey: Buffer): string {
  return fingerprintHex(identityKey).match(/.{1,8}/gu)!.join(' ')
}

/** XEP-0147 style verification URI as Conversations uses it: xmpp:JID?omemo-sid-ID=FINGERPRINT */
export function verificationUri(jid: string, deviceId: number, identityKey: Buffer): string {
  return `xmpp:${jid}?omemo-sid-${deviceId}=${fingerprintHex(identityKey)}`
}

export interface VerificationClaim {
  jid: string
  deviceId: number
  fingerprint: string
}

/** Parses a verification URI (one or more omemo-sid-ID=FP pairs); null if it is not one. */
export function parseVerificationUri(uri: string): VerificationClaim[] | null {
  const match = /^xmpp:([^?#\s]+)\?(.*)$/u.exec(uri.trim())
  if (!match) return null
  let jid: string
  try {
    jid = decodeURIComponent(match[1]!).toLowerCase()
  } catch {
    return null
  }
  if (!/^[^@/\s]+@[^@/\s]+$/u.test(jid)) return null
  const claims: VerificationClaim[] = []
  for (const part of match[2]!.split(/[;&]/u)) {
    const pair = /^omemo-sid-(\d{1,10})=([0-9a-fA-F]{64})$/u.exec(part)
    if (!pair) continue
    const deviceId = Number(pair[1])
    if (deviceId >= 1 && deviceId <= 2 ** 31 - 1) claims.push({ jid, deviceId, fingerprint: pair[2]!.toLowerCase() })
  }
  return claims.length > 0 ? claims : null
}
