// The part of @nxtedition/rocksdb that storage-engine/engine.ts uses. The package ships no
// types; it follows the abstract-level 1 API (promises when no callback is given).

declare module '@nxtedition/rocksdb' {
  type RocksBatchOperation = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

  interface RocksIterator {
    nextv(size: number): Promise<Array<[Buffer, Buffer]>>;
    close(): Promise<void>;
  }

  export class RocksLevel {
    constructor(location: string, options?: { keyEncoding?: 'buffer'; valueEncoding?: 'buffer' });
    readonly status: 'opening' | 'open' | 'closing' | 'closed';
    open(options?: { createIfMissing?: boolean; errorIfExists?: boolean }): Promise<void>;
    close(): Promise<void>;
    /** Rejects with code LEVEL_NOT_FOUND when the key is absent (abstract-level 1). */
    get(key: Buffer): Promise<Buffer>;
    batch(operations: RocksBatchOperation[], options?: { sync?: boolean }): Promise<void>;
    iterator(options: { gte?: Buffer; lt?: Buffer; keys?: boolean; values?: boolean }): RocksIterator;
  }
}
