/**
 * Base64 for byte arrays of any size. `btoa(String.fromCharCode(...bytes))` spreads every byte
 * as a call argument and overflows the stack on large values (a 1 MiB metadata record, a big
 * group assignment), so the conversion goes through Node's Buffer.
 * @module
 */
import { Buffer } from "node:buffer";

/** Standard base64 of `bytes`. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/** Bytes of a standard base64 string. */
export function fromBase64(text: string): Uint8Array {
  const b = Buffer.from(text, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
