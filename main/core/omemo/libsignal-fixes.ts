import { SessionRecord } from '@privacyresearch/libsignal-protocol-typescript/lib/session-record.js'
import type { SessionType } from '@privacyresearch/libsignal-protocol-typescript'

/** libsignal keeps the receiving chains of this many past DH ratchet steps (for late messages). */
const OLD_RATCHETS_MAX_LENGTH = 10

/**
 * libsignal-protocol-typescript 0.0.16 bug: SessionRecord.removeOldChains deletes `session[key]`
 * instead of `session.chains[key]` (and with a binary-string key, where chains are keyed by base64),
 * so old receiving chains and their unused message keys are never deleted. That weakens forward
 * secrecy (old message keys live on) and makes every session record, and every message, slower.
 * This replaces the method with the intended behaviour: keep the newest ten old receiving chains.
 */
export function fixLibsignalChainPruning(): void {
  const prototype = SessionRecord.prototype as unknown as { removeOldChains(session: SessionType): void; __chainPruningFixed?: true }
  if (prototype.__chainPruningFixed) return
  prototype.removeOldChains = function removeOldChains(session: SessionType): void {
    while (session.oldRatchetList.length > OLD_RATCHETS_MAX_LENGTH) {
      let index = 0
      for (let i = 1; i < session.oldRatchetList.length; i++) {
        if (session.oldRatchetList[i]!.added < session.oldRatchetList[index]!.added) index = i
      }
      const [oldest] = session.oldRatchetList.splice(index, 1)
      // Chains are keyed by the base64 of the remote ephemeral key (session-cipher.js).
      delete session.chains[Buffer.from(new Uint8Array(oldest!.ephemeralKey)).toString('base64')]
    }
  }
  prototype.__chainPruningFixed = true
}
