/**
 * ─── HOOK FOR THE LEAD: 10k-message MAM catch-up against a real Prosody ───────────────────────────────────
 * To be filled in once main/core/omemo (store, stanzas, receive pipeline) exists. Intended shape:
 *   1. start a throwaway Prosody with mod_mam (tests/helpers/prosody.ts), two accounts, an OMEMO session;
 *   2. have the peer send 10 000 OMEMO messages (with <store/> hints) while we are offline;
 *   3. log in, time the MAM catch-up through the real receive pipeline until the 10 000th message is stored
 *      decrypted; report messages/s (and ms for the whole catch-up), with the fast primitives installed.
 * Return undefined until then: run.ts prints "not yet measured".
 */
export interface MamCatchupResult {
  messages: number
  seconds: number
}

export async function measureMamCatchup(): Promise<MamCatchupResult | undefined> {
  return undefined
}
