import { DuckDbStore } from '../DuckDbStore.js';
import { isStoreLocked } from '../errors.js';
import { hasJournalEntries } from './hookJournal.js';

/**
 * Command hooks journal their events beside the file (store/hooks/hookJournal.ts) for its next
 * writer. A command about to read the file read-only takes them in first, as a brief writer (which
 * creates the file when hooks ran before anything else), so what it reads includes them. A file
 * held by another process is left alone: its holder ingests the journal itself.
 */
export async function ingestPendingHooks(db: string): Promise<void> {
  if (db === ':memory:' || !hasJournalEntries(db)) return;
  let store: DuckDbStore;
  try {
    store = await DuckDbStore.open(db);
  } catch (err) {
    if (isStoreLocked(err)) return;
    throw err;
  }
  await store.close();
}
