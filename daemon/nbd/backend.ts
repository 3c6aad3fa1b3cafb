// What the NBD server serves: a backend that lists exports and opens one per connection.
// The server knows nothing of vDisks, epochs or the model; the daemon implements this on
// top of the block store (an export named NAME is a vDisk, NAME@SNAP one of its snapshots,
// read-only). Export methods throw VstorError for operating errors (storage-engine/
// errors.ts); the server turns each into the NBD errno the spec asks for (errno.ts), and
// the connection stays usable.
//
// The server calls the methods of one export concurrently (requests are pipelined), never
// with a range outside [0, sizeBytes) and never with a length above its requestBytesMax
// (read, write) or the request's u32 length (trim, writeZeroes, blockStatus, which the
// server may shorten). A backend that serialises overlapping mutations per vDisk, and
// whose flush() makes every acknowledged write of every connection durable, is safe for
// several connections at once (NBD_FLAG_CAN_MULTI_CONN).

export interface NbdExportInfo {
  name: string;
  description?: string;
  sizeBytes: number;
  readOnly: boolean;
}

export interface NbdAllocationExtent {
  offsetBytes: number;
  lengthBytes: number;
  kind: 'data' | 'hole';
}

export interface NbdExport {
  readonly name: string;
  readonly sizeBytes: number;
  readonly readOnly: boolean;
  /** Sent as NBD_INFO_DESCRIPTION when a client asks for it. */
  readonly description?: string;
  read(offsetBytes: number, lengthBytes: number): Promise<Uint8Array>;
  write(offsetBytes: number, bytes: Uint8Array, fua: boolean): Promise<void>;
  trim(offsetBytes: number, lengthBytes: number, fua: boolean): Promise<void>;
  writeZeroes(offsetBytes: number, lengthBytes: number, fua: boolean): Promise<void>;
  flush(): Promise<void>;
  /** Allocation extents covering [offset, offset+length) for base:allocation. */
  blockStatus(offsetBytes: number, lengthBytes: number): Promise<NbdAllocationExtent[]>;
  /** Called when the connection ends; the export may release resources. */
  close(): void;
}

export interface NbdBackend {
  list(): Promise<NbdExportInfo[]>;
  /** VstorError NOT_FOUND for an unknown export (→ NBD_REP_ERR_UNKNOWN). */
  open(name: string): Promise<NbdExport>;
}
