import type { KnownObject, MetadataChecker } from '../metadata/checks.js';
import { CHUNKS_PREFIX, objectIdOfKey } from '../metadata/layout.js';
import { listAll, type ObjectInfo, type ObjectStore } from '../store/types.js';

/** Rows per metadata page while streaming (the store pages by 1000 keys too). */
const PAGE = 1000;

/** One step of the merge: an object the metadata knows, a key the store holds, or both. */
export interface MergedObject {
  /** The object id; null for a key under chunks/ that is no chunk key. */
  objectId: string | null;
  known?: KnownObject;
  stored?: ObjectInfo;
}

/** The metadata's objects (live and pending), ascending, page by page. */
async function* knownObjects(checker: MetadataChecker): AsyncGenerator<KnownObject> {
  let after: string | null = null;
  for (;;) {
    const page = checker.objectsPage(after, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.objectId;
  }
}

/**
 * Merges two sorted streams, the store's listing of chunks/ and the metadata's objects,
 * without holding either: memory is one page of each. A chunk key sorts as its id does
 * (`chunks/<first two hex digits>/<id>`), so the two orders agree.
 */
export async function* mergeStoreAndMetadata(checker: MetadataChecker, store: ObjectStore): AsyncGenerator<MergedObject> {
  const meta = knownObjects(checker);
  const listing = listAll(store, CHUNKS_PREFIX);
  let m = await meta.next();
  let s = await listing.next();
  while (!m.done || !s.done) {
    if (!s.done) {
      const id = objectIdOfKey(s.value.key);
      if (id === null) {
        yield { objectId: null, stored: s.value };
        s = await listing.next();
        continue;
      }
      if (m.done || id < m.value.objectId) {
        yield { objectId: id, stored: s.value };
        s = await listing.next();
        continue;
      }
      if (id === m.value.objectId) {
        yield { objectId: id, known: m.value, stored: s.value };
        s = await listing.next();
        m = await meta.next();
        continue;
      }
    }
    const known = m.value as KnownObject;
    yield { objectId: known.objectId, known };
    m = await meta.next();
  }
}
