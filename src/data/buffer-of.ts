/** Byte columns as the drivers bind them: a Buffer (not a bare Uint8Array) for a BLOB or a bytea. */

/** The same bytes as a Buffer, without a copy. */
export function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
