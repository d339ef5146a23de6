import { randomInt } from 'node:crypto'
import { SessionBuilder, SignalProtocolAddress } from '@privacyresearch/libsignal-protocol-typescript'
import type { SkipReason } from '../../../preload/api.ts'
import type { DeviceRow } from '../store/repos/omemo-repo.ts'
import { IqTimeoutError } from '../xmpp/iq-requester.ts'
import { toArrayBuffer } from './buffers.ts'
import type { OmemoContext } from './omemo-context.ts'
import { fetchItem } from './pep.ts'
import { bundleNode, parseBundle, type Bundle } from './protocol/legacy.ts'
import { IdentityChangedError, type StagedSignalStore } from './signal-store.ts'

/** A device's bundle, or why it cannot be had: none published, invalid, its server too slow, or refused. */
export type FetchedBundle = Bundle | { skip: Extract<SkipReason, 'no-bundle' | 'bad-bundle' | 'bundle-timeout' | 'bundle-unavailable'> }

/** XEP-0384 §4.3/§4.4: fetch and check a device's bundle. Network only: call it outside the session lock. */
export async function fetchBundle(context: OmemoContext, device: Pick<DeviceRow, 'jid' | 'device_id'>): Promise<FetchedBundle> {
  let payload
  try {
    payload = await fetchItem(context.link, device.jid, bundleNode(device.device_id))
  } catch (error) {
    context.warn(`bundle of ${device.jid} device ${device.device_id}: ${(error as Error).message}`)
    return { skip: error instanceof IqTimeoutError ? 'bundle-timeout' : 'bundle-unavailable' }
  }
  if (!payload) return { skip: 'no-bundle' }
  const bundle = parseBundle(payload)
  if ('invalid' in bundle) {
    context.warn(`unusable bundle of ${device.jid} device ${device.device_id}: ${bundle.invalid}`)
    return { skip: 'bad-bundle' }
  }
  return bundle
}

/**
 * Builds a Signal session with a device from its bundle (XEP-0384 §4.4), right before encrypting for it. A
 * session that existed is kept as an old one (libsignal archives it), so messages still on it decrypt. Returns a
 * skip reason when that is impossible. No network: the bundle was fetched before the session lock.
 */
export async function buildSessionFromBundle(context: OmemoContext, store: StagedSignalStore, device: DeviceRow, bundle: Bundle): Promise<SkipReason | null> {
  if (device.identity_key && !device.identity_key.equals(bundle.identityKey)) return 'identity-changed'
  // §4.4: pick one of the published prekeys at random.
  const preKey = bundle.preKeys[randomInt(bundle.preKeys.length)]!
  const address = new SignalProtocolAddress(device.jid, device.device_id)
  try {
    await new SessionBuilder(store, address).processPreKey({
      identityKey: toArrayBuffer(bundle.identityKey),
      signedPreKey: {
        keyId: bundle.signedPreKey.id,
        publicKey: toArrayBuffer(bundle.signedPreKey.publicKey),
        signature: toArrayBuffer(bundle.signedPreKey.signature),
      },
      preKey: { keyId: preKey.id, publicKey: toArrayBuffer(preKey.publicKey) },
      registrationId: device.device_id,
    })
  } catch (error) {
    if (error instanceof IdentityChangedError) return 'identity-changed'
    context.warn(`cannot build a session with ${device.jid} device ${device.device_id}: ${(error as Error).message}`)
    return 'bad-bundle'
  }
  return null
}
