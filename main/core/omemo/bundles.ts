import { randomInt } from 'node:crypto'
import { SessionBuilder, SignalProtocolAddress } from '@privacyresearch/libsignal-protocol-typescript'
import type { SkipReason } from '../../../preload/api.ts'
import type { DeviceRow } from '../store/repos/omemo-repo.ts'
import { toArrayBuffer } from './buffers.ts'
import type { OmemoContext } from './omemo-context.ts'
import { fetchItem } from './pep.ts'
import { bundleNode, parseBundle } from './protocol/legacy.ts'
import { IdentityChangedError, type StagedSignalStore } from './signal-store.ts'

/**
 * Builds a Signal session with a device from its published bundle (XEP-0384 §4.4), lazily, right
 * before encrypting for it. Returns a skip reason when that is impossible.
 */
export async function buildSessionFromBundle(context: OmemoContext, store: StagedSignalStore, device: DeviceRow): Promise<SkipReason | null> {
  let payload
  try {
    payload = await fetchItem(context.link, device.jid, bundleNode(device.device_id))
  } catch {
    return 'no-bundle'
  }
  if (!payload) return 'no-bundle'
  const bundle = parseBundle(payload)
  if ('invalid' in bundle) {
    context.warn(`unusable bundle of ${device.jid} device ${device.device_id}: ${bundle.invalid}`)
    return 'bad-bundle'
  }
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
