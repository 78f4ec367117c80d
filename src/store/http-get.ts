import net from 'node:net';
import { timeoutError } from './s3-errors.js';
import type { Alloc } from './types.js';

/** What a plain GET brought back: the status, and the body when it announced its length. */
export interface PlainGetResult {
  status: number;
  /**
   * The whole body, when the answer announced its length (for a status other than 200, a
   * length up to 64 KiB: an error document); null otherwise, and the socket is dropped.
   */
  body: Buffer | null;
}

export interface PlainGetTarget {
  host: string;
  port: number;
  /** The Host header, exactly as signed (the URL's host: no default port, IPv6 bracketed). */
  hostHeader: string;
  /** No connection in this long fails the request. */
  connectMs: number;
  /** A socket idle this long, mid-request, fails it. */
  idleMs: number;
}

/** Each socket reads into one buffer of this size, reused for every read. */
const READ_BUFFER = 256 * 1024;
/** A response head larger than this is not an S3 answer. */
const MAX_HEAD = 64 * 1024;
/** An error answer's body is a short XML document: no more of it is read into memory. */
export const MAX_ERROR_BODY = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

interface Pending {
  onData(bytes: Buffer): void;
  onEnd(err: Error): void;
}

interface Conn {
  socket: net.Socket;
  pending: Pending | null;
  /** Has served a request before: a failure before any answer may just be the server closing it. */
  reused: boolean;
}

/**
 * GETs over plain-HTTP keep-alive sockets that read into one fixed buffer each and copy
 * straight into the body's buffer. Node's HTTP client allocates a buffer for every socket
 * read (64 KiB) and parses in layers; for 4 MiB chunks that was about 3.8 CPU seconds per
 * GiB against 1.7 here (256 GETs of 4 MiB from s3rver, 8 at a time), and the per-read
 * allocations are what drive the daemon's garbage collections.
 *
 * Objects are read when they announce their length (S3 always sends a Content-Length
 * with them); error documents also when chunked. Anything else (a chunked object, an error
 * document over 64 KiB) comes back as a status with no body and the socket is dropped, so
 * that the caller can ask again through its full HTTP client.
 */
export class PlainGetPool {
  private readonly idle: Conn[] = [];
  private readonly all = new Set<Conn>();
  private closed = false;

  constructor(private readonly t: PlainGetTarget) {}

  /** With `alloc`, the body of a 200 answer is read into `alloc(length)`. */
  async get(path: string, headers: Record<string, string>, alloc?: Alloc): Promise<PlainGetResult> {
    const head = requestHead(path, this.t.hostHeader, headers);
    for (;;) {
      const conn = this.idle.pop() ?? (await this.connect());
      try {
        return await this.exchange(conn, head, alloc);
      } catch (err) {
        // A kept-alive socket the server closed meanwhile fails before any answer: ask again on a new one.
        if (!(err instanceof StaleSocket)) throw err;
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const c of this.all) c.socket.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  private connect(): Promise<Conn> {
    if (this.closed) return Promise.reject(Object.assign(new Error('the store connection is closed'), { code: 'ECONNRESET' }));
    return new Promise((resolve, reject) => {
      const conn: Conn = { socket: null as unknown as net.Socket, pending: null, reused: false };
      const socket = net.connect({
        host: this.t.host,
        port: this.t.port,
        noDelay: true,
        onread: {
          buffer: Buffer.allocUnsafe(READ_BUFFER),
          callback: (n: number, buf: Uint8Array) => {
            // Bytes nobody asked for (an idle socket): its stream can no longer be trusted.
            if (conn.pending) conn.pending.onData(Buffer.from(buf.buffer, buf.byteOffset, n));
            else socket.destroy();
            return true;
          },
        },
      });
      conn.socket = socket;
      this.all.add(conn);
      const timer = setTimeout(() => socket.destroy(timeoutError(`no connection in ${this.t.connectMs} ms`)), this.t.connectMs);
      const forget = (): void => {
        this.all.delete(conn);
        const at = this.idle.indexOf(conn);
        if (at >= 0) this.idle.splice(at, 1);
      };
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(conn);
      });
      socket.on('error', (err) => {
        clearTimeout(timer);
        forget();
        if (conn.pending) conn.pending.onEnd(err);
        else reject(err);
      });
      socket.on('close', () => {
        clearTimeout(timer);
        forget();
        conn.pending?.onEnd(Object.assign(new Error('connection closed before the whole body'), { code: 'ECONNRESET' }));
      });
      socket.on('timeout', () => socket.destroy(timeoutError(`no activity for ${this.t.idleMs} ms`)));
    });
  }

  private exchange(conn: Conn, head: string, alloc: Alloc | undefined): Promise<PlainGetResult> {
    return new Promise((resolve, reject) => {
      const { socket } = conn;
      let headBytes: Buffer = Buffer.alloc(0);
      let body: Buffer | null = null;
      let filled = 0;
      let status = 0;
      /** The raw chunked body of an error answer, decoded once whole. */
      let chunked: Buffer | null = null;
      let keep = true;
      let answered = false;
      const finish = (result: PlainGetResult | null, err?: Error): void => {
        conn.pending = null;
        socket.setTimeout(0);
        if (err) {
          socket.destroy();
          return reject(err);
        }
        if (!keep || result!.body === null || this.closed) socket.destroy();
        else {
          conn.reused = true;
          socket.unref();
          this.idle.push(conn);
        }
        resolve(result!);
      };
      conn.pending = {
        onData: (bytes) => {
          answered = true;
          if (chunked) {
            chunked = Buffer.concat([chunked, bytes]);
            const decoded = decodeChunked(chunked);
            if (decoded === 'bad' || (decoded === null && chunked.length > MAX_ERROR_BODY)) finish({ status, body: null });
            else if (decoded) finish({ status, body: decoded });
            return;
          }
          if (body) {
            const copied = bytes.copy(body, filled);
            filled += copied;
            // Bytes past the body mean the socket's stream is no longer where we think it is.
            if (copied < bytes.length) keep = false;
            if (filled === body.length) finish({ status, body });
            return;
          }
          // `bytes` is a view of the socket's read buffer, reused at the next read: what is kept is copied.
          const seen = headBytes.length ? Buffer.concat([headBytes, bytes]) : bytes;
          const end = seen.indexOf(HEAD_END);
          if (end < 0) {
            if (seen.length > MAX_HEAD) finish(null, Object.assign(new Error('response head too large'), { code: 'EPROTO' }));
            else headBytes = Buffer.from(seen);
            return;
          }
          headBytes = Buffer.alloc(0);
          const parsed = parseHead(seen.subarray(0, end).toString('latin1'));
          if (!parsed) return finish(null, Object.assign(new Error('malformed response head'), { code: 'EPROTO' }));
          keep = parsed.keepAlive;
          status = parsed.status;
          if (parsed.chunked && status !== 200) {
            // An error document sent in chunks: read it whole (the socket is dropped after).
            keep = false;
            chunked = Buffer.alloc(0);
            return conn.pending!.onData(seen.subarray(end + HEAD_END.length));
          }
          if (parsed.length === null || parsed.chunked || (status !== 200 && parsed.length > MAX_ERROR_BODY)) return finish({ status, body: null });
          body = status === 200 && alloc ? alloc(parsed.length) : Buffer.allocUnsafe(parsed.length);
          const start = end + HEAD_END.length;
          filled = seen.copy(body, 0, start);
          if (seen.length - start > body.length) keep = false;
          if (filled === body.length) finish({ status, body });
        },
        onEnd: (err) => {
          conn.pending = null;
          if (!answered && conn.reused) reject(new StaleSocket());
          else reject(err);
        },
      };
      socket.ref();
      socket.setTimeout(this.t.idleMs);
      socket.write(head);
    });
  }
}

class StaleSocket extends Error {}

function requestHead(path: string, host: string, headers: Record<string, string>): string {
  let head = `GET ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() !== 'host') head += `${name}: ${value}\r\n`;
  return `${head}\r\n`;
}

/**
 * The body of a whole chunked transfer (RFC 9112 section 7.1; trailers skipped); null
 * while more is to come; 'bad' when it is not chunked encoding.
 */
export function decodeChunked(raw: Buffer): Buffer | null | 'bad' {
  const parts: Buffer[] = [];
  for (let at = 0; ; ) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return null;
    const sizeText = raw.toString('latin1', at, eol).split(';')[0]!.trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return 'bad';
    const size = parseInt(sizeText, 16);
    if (size === 0) {
      // The last chunk: trailer lines, then an empty line.
      if (raw.length >= eol + 4 && raw.toString('latin1', eol + 2, eol + 4) === '\r\n') return Buffer.concat(parts);
      return raw.indexOf('\r\n\r\n', eol) >= 0 ? Buffer.concat(parts) : null;
    }
    const dataEnd = eol + 2 + size;
    if (raw.length < dataEnd + 2) return null;
    if (raw.toString('latin1', dataEnd, dataEnd + 2) !== '\r\n') return 'bad';
    parts.push(raw.subarray(eol + 2, dataEnd));
    at = dataEnd + 2;
  }
}

/** Status, Content-Length, chunking and keep-alive of a response head; null when it is no HTTP/1.x head. */
export function parseHead(head: string): { status: number; length: number | null; chunked: boolean; keepAlive: boolean } | null {
  const lines = head.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
  if (!m) return null;
  let length: number | null = null;
  let chunked = false;
  let keepAlive = m[1] === '1';
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim().toLowerCase();
    if (name === 'content-length') {
      const n = Number(value);
      if (!Number.isSafeInteger(n) || n < 0) return null;
      length = n;
    } else if (name === 'transfer-encoding') chunked = value !== 'identity';
    else if (name === 'connection') keepAlive = value === 'keep-alive' || (keepAlive && value !== 'close');
  }
  return { status: Number(m[2]), length, chunked, keepAlive };
}
