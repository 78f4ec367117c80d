/** The parts of fuse-native (CommonJS, no bundled types) that chunkfs uses. */
declare module 'fuse-native' {
  type Signal = (code: number, ...args: unknown[]) => void;
  class Fuse {
    constructor(mnt: string, ops: Record<string, unknown>, opts?: Record<string, unknown>);
    readonly mnt: string;
    readonly ops: Record<string, (...args: any[]) => void>;
    mount(cb: (err: Error | null) => void): void;
    unmount(cb: (err: Error | null) => void): void;
    static unmount(mnt: string, cb: (err: Error | null) => void): void;
    static isConfigured(cb: (err: Error | null, yes: boolean) => void): void;
    _op_fgetattr(signal: Signal, path: string, fd: number): void;
    _op_getxattr(signal: Signal, path: string, name: string, valueBuf: Buffer, position: number): void;
    _op_listxattr(signal: Signal, path: string, listBuf: Buffer): void;
  }
  export = Fuse;
}
