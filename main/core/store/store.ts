import type { Db } from './db.ts'
import { createAccountsRepo } from './repos/accounts-repo.ts'
import { createContactsRepo } from './repos/contacts-repo.ts'
import { createMessagesRepo } from './repos/messages-repo.ts'
import { createOmemoRepo } from './repos/omemo-repo.ts'
import { createSettingsRepo } from './repos/settings-repo.ts'

export type Store = ReturnType<typeof createStore>

/** All repositories over one open, migrated database. */
export function createStore(db: Db) {
  return {
    db,
    accounts: createAccountsRepo(db),
    contacts: createContactsRepo(db),
    messages: createMessagesRepo(db),
    settings: createSettingsRepo(db),
    omemo: createOmemoRepo(db),
  }
}
