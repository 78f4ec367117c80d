/**
 * The object store: a flat namespace of immutable-by-convention byte objects.
 * Every method is idempotent in effect (a repeated put of the same bytes, a repeated
 * delete) so that the retry wrapper may repeat any call safely.
 */
export interface ObjectInfo {
  key: string;
  size: number;
  /** Last-modified time in ms since the epoch (the store's clock). */
  mtimeMs: number;
}

export interface ListPage {
  items: ObjectInfo[];
  /** Pass to the next `listPage` call; undefined when the listing is complete. */
  next?: string;
}

/** Gives a buffer of exactly `length` bytes, contents unset: a body is read into it, or a chunk built in it. */
export type Alloc = (length: number) => Buffer;

export interface ObjectStore {
  /** A printable description of the store (URL without credentials). */
  readonly description: string;
  /** Stores `body` under `key`, replacing any object there. The object is whole or absent, never torn. */
  put(key: string, body: Uint8Array): Promise<void>;
  /**
   * The whole object. Throws `ObjectNotFound` when the key is missing. With `alloc`, a
   * body whose length is known before it arrives is read into `alloc(length)` (the caller
   * may reuse such buffers); a store is free not to call it.
   */
  get(key: string, alloc?: Alloc): Promise<Buffer>;
  /**
   * `length` bytes from `offset`. A range that runs past the end is cut short at the end;
   * a range that starts at or past the end returns an empty buffer. Throws `ObjectNotFound`
   * when the key is missing.
   */
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** Size and mtime of the object, or null when the key is missing. */
  head(key: string): Promise<ObjectInfo | null>;
  /** Deletes the object; deleting a missing key succeeds. */
  delete(key: string): Promise<void>;
  /** Deletes every key given; missing keys succeed. Batches internally as the backend allows. */
  deleteMany(keys: string[]): Promise<void>;
  /**
   * One page of the keys that start with `prefix`, in ascending byte order of key.
   * `token` is the `next` of the previous page. `limit` caps the page (default and
   * maximum 1000).
   */
  listPage(prefix: string, token?: string, limit?: number): Promise<ListPage>;
  /** Releases sockets and handles. The store is unusable afterwards. */
  close(): Promise<void>;
  /**
   * Proves that the store is usable: the bucket or directory exists and the credentials
   * work. Throws `BucketNotFound`, `StoreAccessDenied` or `StoreUnavailable` with a clear
   * message, so a command can fail early. Optional: stores without it are always usable.
   */
  checkAccess?(): Promise<void>;
}

/** The names of the data operations, as counted and fault-injected by the wrappers. */
export type StoreOp = 'put' | 'get' | 'getRange' | 'head' | 'delete' | 'deleteMany' | 'listPage';
export const STORE_OPS: readonly StoreOp[] = ['put', 'get', 'getRange', 'head', 'delete', 'deleteMany', 'listPage'];

/** Every key under `prefix`, page by page (memory bounded by one page). */
export async function* listAll(store: ObjectStore, prefix: string): AsyncGenerator<ObjectInfo> {
  let token: string | undefined;
  do {
    const page = await store.listPage(prefix, token);
    yield* page.items;
    token = page.next;
  } while (token !== undefined);
}

/** Options for opening a store from a URL (`src/store/open.ts`). */
export interface StoreOptions {
  /** S3: endpoint URL of an S3-compatible server (default: AWS). */
  endpoint?: string;
  /** S3: region (default: from the SDK's chain, else us-east-1). */
  region?: string;
  /** S3: path-style addressing (http://host/bucket/key), needed by most non-AWS servers. */
  pathStyle?: boolean;
  /** S3: an s3fs-style password file, `ACCESS:SECRET` (refused when others can read it). */
  passwdFile?: string;
  /** S3: a profile of the shared config and credentials files. */
  profile?: string;
  /** S3: explicit credentials; they win over the password file and the SDK's chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** S3: ms to wait for a TCP connection (default 5000) and for socket activity (default 60000; a whole request gets ten times that). */
  timeouts?: { connectMs?: number; requestMs?: number };
  /** Retry budget of the retry wrapper; tests shorten it. */
  retry?: { attempts?: number; maxElapsedMs?: number; baseDelayMs?: number };
}
