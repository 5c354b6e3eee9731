/**
 * A minimal Kafka client connection over our own codec: sends requests with increasing
 * correlation ids and matches responses. Used by the admin CLI, tests and benchmarks; speaks
 * TLS and logs in with SASL (PLAIN, SCRAM-SHA-256/512 over SaslHandshake v1 + SaslAuthenticate)
 * when asked.
 * @module
 */
import { decodeMessage, encodeMessage, isFlexible } from "../protocol/codec.ts";
import { Reader, Writer } from "../protocol/primitives.ts";
import type { ApiSchema } from "../protocol/schema.ts";
import { FrameDecoder } from "../server/framing.ts";
import {
  SaslHandshake,
  type SaslHandshakeResponse,
} from "../protocol/messages/17_sasl_handshake.ts";
import {
  SaslAuthenticate,
  type SaslAuthenticateResponse,
} from "../protocol/messages/36_sasl_authenticate.ts";
import { errorName } from "../protocol/errors.ts";
import { SCRAM_HASH, ScramClient } from "../auth/scram.ts";
import type { SaslMechanism } from "../auth/sasl.ts";

/** How to reach and log in to a broker. */
export interface ConnectOptions {
  /** Connect over TLS, trusting these PEM CA certificates (default: the system's roots). */
  tls?: { caCerts?: string[] };
  /** Log in with SASL right after connecting. */
  sasl?: SaslLogin;
}

/** A SASL login. */
export interface SaslLogin {
  mechanism: SaslMechanism;
  user: string;
  password: string;
}
interface Waiting {
  schema: ApiSchema;
  version: number;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

/** One TCP connection to a Kafka broker. */
export class KafkaConnection {
  private nextCorrelation = 1;
  private readonly waiting = new Map<number, Waiting>();
  private readonly frames = new FrameDecoder(256 * 1024 * 1024);
  private readonly reading: Promise<void>;
  private closed = false;
  /** The last queued write (see `writeRaw`). */
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly conn: Deno.Conn, readonly clientId: string) {
    this.reading = this.readLoop();
  }

  /** Connects to host:port (over TLS and logged in, when the options say so). */
  static async connect(
    address: string,
    clientId = "kafscale-cli",
    options: ConnectOptions = {},
  ): Promise<KafkaConnection> {
    const i = address.lastIndexOf(":");
    const where = { hostname: address.slice(0, i), port: Number(address.slice(i + 1)) };
    let conn: Deno.Conn;
    if (options.tls) {
      conn = await Deno.connectTls({ ...where, caCerts: options.tls.caCerts });
    } else {
      const tcp = await Deno.connect(where);
      tcp.setNoDelay(true);
      conn = tcp;
    }
    const c = new KafkaConnection(conn, clientId);
    if (options.sasl) {
      try {
        await c.authenticate(options.sasl);
      } catch (e) {
        await c.close();
        throw e;
      }
    }
    return c;
  }

  /**
   * Logs in with SaslHandshake v1 and SaslAuthenticate v2 (also to re-authenticate);
   * resolves the session lifetime the broker gave (ms, 0: none).
   */
  async authenticate(login: SaslLogin): Promise<number> {
    const hs = await this.request<SaslHandshakeResponse>(SaslHandshake, 1, {
      mechanism: login.mechanism,
    });
    if (hs.errorCode !== 0) {
      throw new Error(
        `Cannot log in with ${login.mechanism}: ${errorName(hs.errorCode)} (the broker offers ${
          hs.mechanisms.join(", ")
        })`,
      );
    }
    const step = async (authBytes: Uint8Array) => {
      const r = await this.request<SaslAuthenticateResponse>(SaslAuthenticate, 2, { authBytes });
      if (r.errorCode !== 0) {
        throw new Error(
          `Cannot log in as ${login.user}: ${errorName(r.errorCode)}: ${r.errorMessage}`,
        );
      }
      return r;
    };
    const enc = new TextEncoder();
    if (login.mechanism === "PLAIN") {
      return (await step(enc.encode(`\0${login.user}\0${login.password}`))).sessionLifetimeMs;
    }
    const scram = new ScramClient(login.user, login.password, SCRAM_HASH[login.mechanism]);
    const first = await step(scram.first());
    const final = await step(await scram.final(first.authBytes));
    scram.verify(final.authBytes);
    return final.sessionLifetimeMs;
  }

  private async readLoop(): Promise<void> {
    const buf = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.conn.read(buf);
        if (n === null) break;
        for (const frame of this.frames.push(buf.slice(0, n))) this.deliver(frame);
      }
    } catch { /* closed */ }
    this.closed = true;
    for (const w of this.waiting.values()) {
      w.reject(new Error("Cannot complete request: connection closed"));
    }
    this.waiting.clear();
  }

  private deliver(frame: Uint8Array): void {
    const r = new Reader(frame);
    const correlationId = r.int32();
    const w = this.waiting.get(correlationId);
    if (!w) return;
    this.waiting.delete(correlationId);
    try {
      if (w.schema.apiKey !== 18 && isFlexible(w.schema.response, w.version)) {
        const tags = r.uvarint();
        for (let i = 0; i < tags; i++) {
          r.uvarint();
          r.raw(r.uvarint());
        }
      }
      w.resolve(decodeMessage(w.schema.response, r, w.version));
    } catch (e) {
      w.reject(e);
    }
  }

  /** Encodes a request frame (exported for tests that send raw bytes). */
  encode(schema: ApiSchema, version: number, body: object, correlationId: number): Uint8Array {
    const w = new Writer(256);
    w.int32(0).int16(schema.apiKey).int16(version).int32(correlationId).nullableString(
      this.clientId,
    );
    if (isFlexible(schema.request, version)) w.uvarint(0);
    encodeMessage(schema.request, body, version, w);
    const out = w.finish();
    new DataView(out.buffer, out.byteOffset, 4).setInt32(0, out.byteLength - 4);
    return out;
  }

  /** Sends a request and resolves its decoded response. */
  async request<T>(schema: ApiSchema, version: number, body: object): Promise<T> {
    if (this.closed) throw new Error("Cannot send request: connection closed");
    const id = this.nextCorrelation++;
    const done = new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { schema, version, resolve: resolve as (v: unknown) => void, reject });
    });
    try {
      await this.writeRaw(this.encode(schema, version, body, id));
    } catch (e) {
      // The answer can never come; the waiting promise is dropped (its rejection handled).
      this.waiting.delete(id);
      done.catch(() => {});
      throw e;
    }
    return await done;
  }

  /** Sends a request that gets no response (Produce with acks=0). */
  async send(schema: ApiSchema, version: number, body: object): Promise<void> {
    await this.writeRaw(this.encode(schema, version, body, this.nextCorrelation++));
  }

  /**
   * Writes raw bytes (also tests of malformed input). Writes are queued: a write may take the
   * socket several calls (TLS especially), and two requests' bytes must never interleave.
   */
  writeRaw(bytes: Uint8Array): Promise<void> {
    const write = this.writing.then(async () => {
      let at = 0;
      while (at < bytes.byteLength) at += await this.conn.write(bytes.subarray(at));
    });
    this.writing = write.catch(() => {});
    return write;
  }

  /** Resolves when the broker closes the connection. */
  async closedByPeer(): Promise<void> {
    await this.reading;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    if (!this.closed) {
      try {
        this.conn.close();
      } catch { /* closed */ }
    }
    await this.reading;
  }
}
