/**
 * The credential port: SCRAM credentials by user and mechanism, kept in the metadata store
 * under `users/<name>/<mechanism>` (src/metadata/records.ts), so every broker sharing the store
 * (and `kafscale users`, which opens it directly) sees the same users. Logins read the store
 * each time: a user added or removed anywhere counts at the next authentication.
 * Only salt, iterations, StoredKey and ServerKey are stored, never a password.
 * @module
 */
import type { MetadataStore } from "../metadata/types.ts";
import {
  decodeRecord,
  encodeRecord,
  keys,
  ScramCredentialRecordSchema,
} from "../metadata/records.ts";
import { fromBase64, toBase64 } from "../util/base64.ts";
import {
  MAX_ITERATIONS,
  MIN_ITERATIONS,
  SCRAM_HASH,
  type ScramCredential,
  type ScramMechanism,
} from "./scram.ts";
import type { CredentialLookup } from "./sasl.ts";

/** A stored credential as listed (no key material). */
export interface CredentialInfo {
  user: string;
  mechanism: ScramMechanism;
  iterations: number;
}

/** Reads and writes users' SCRAM credentials. */
export interface CredentialStore extends CredentialLookup {
  /** Every stored credential, by user then mechanism. */
  list(): Promise<CredentialInfo[]>;
  /** Adds or replaces a credential (validated first: see `checkCredential`). */
  put(user: string, mechanism: ScramMechanism, credential: ScramCredential): Promise<void>;
  /** Removes a credential; false when there was none. */
  delete(user: string, mechanism: ScramMechanism): Promise<boolean>;
}

const KEY_BYTES = { "SHA-1": 20, "SHA-256": 32, "SHA-512": 64 } as const;

/**
 * Why a credential cannot be stored, or null: an empty user name, iterations outside
 * 4096-16384 (Kafka's bounds), an empty salt, or keys of the wrong size for the mechanism.
 */
export function checkCredential(
  user: string,
  mechanism: ScramMechanism,
  c: ScramCredential,
): string | null {
  if (user === "") return "the user name is empty";
  if (c.iterations < MIN_ITERATIONS) {
    return `${c.iterations} iterations are too few for ${mechanism} (at least ${MIN_ITERATIONS})`;
  }
  if (c.iterations > MAX_ITERATIONS) {
    return `${c.iterations} iterations are too many for ${mechanism} (at most ${MAX_ITERATIONS})`;
  }
  if (c.salt.length === 0) return "the salt is empty";
  const size = KEY_BYTES[SCRAM_HASH[mechanism]];
  if (c.storedKey.length !== size || c.serverKey.length !== size) {
    return `the keys are not ${size} bytes, the size of ${mechanism}'s hash`;
  }
  return null;
}

/** The credential store over the metadata store. */
export class MetadataCredentialStore implements CredentialStore {
  constructor(private readonly meta: MetadataStore, private readonly now = () => Date.now()) {}

  /** The user's credential for `mechanism`, or null. */
  async get(user: string, mechanism: ScramMechanism): Promise<ScramCredential | null> {
    const key = keys.userCredential(user, mechanism);
    const e = await this.meta.get(key);
    if (!e) return null;
    const r = decodeRecord(ScramCredentialRecordSchema, key, e.value);
    return {
      salt: fromBase64(r.salt),
      iterations: r.iterations,
      storedKey: fromBase64(r.stored_key),
      serverKey: fromBase64(r.server_key),
    };
  }

  async list(): Promise<CredentialInfo[]> {
    return (await this.meta.getPrefix(keys.usersPrefix())).map((e) => {
      const r = decodeRecord(ScramCredentialRecordSchema, e.key, e.value);
      return { user: r.user, mechanism: r.mechanism, iterations: r.iterations };
    }).sort((a, b) =>
      a.user < b.user ? -1 : a.user > b.user ? 1 : a.mechanism.localeCompare(b.mechanism)
    );
  }

  async put(user: string, mechanism: ScramMechanism, credential: ScramCredential): Promise<void> {
    const why = checkCredential(user, mechanism, credential);
    if (why) throw new RangeError(`Cannot store ${mechanism} credential of ${user}: ${why}`);
    await this.meta.put(
      keys.userCredential(user, mechanism),
      encodeRecord(ScramCredentialRecordSchema, {
        user,
        mechanism,
        salt: toBase64(credential.salt),
        iterations: credential.iterations,
        stored_key: toBase64(credential.storedKey),
        server_key: toBase64(credential.serverKey),
        updated_ms: this.now(),
      }),
    );
  }

  async delete(user: string, mechanism: ScramMechanism): Promise<boolean> {
    const key = keys.userCredential(user, mechanism);
    // A missing credential is reported, not silently accepted.
    if (!await this.meta.get(key)) return false;
    await this.meta.delete(key);
    return true;
  }
}
