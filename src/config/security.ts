/**
 * The security settings (listeners, TLS, SASL) and how the listener list is read.
 *
 * Listeners are Kafka's form, `KAFSCALE_LISTENERS=SASL_SSL://0.0.0.0:9094,PLAINTEXT://:9092`,
 * named by their security protocol as Kafka's default `listener.security.protocol.map` does
 * (so at most one listener per protocol). `KAFSCALE_ADVERTISED_LISTENERS` gives, per name, the
 * host:port clients are told; a listener it leaves out is advertised as
 * `KAFSCALE_BROKER_HOST` (or its own host, `localhost` for a wildcard) and its own port.
 * Without `KAFSCALE_LISTENERS`, `KAFSCALE_BROKER_ADDR` is the one PLAINTEXT listener,
 * advertised as `KAFSCALE_BROKER_HOST`:`KAFSCALE_BROKER_PORT`, as before listeners existed.
 * @module
 */
import { z } from "zod";
import { bool, int } from "./_schemas.ts";
import { isSaslMechanism, SASL_MECHANISMS, type SaslMechanism } from "../auth/sasl.ts";

/** Kafka's security protocols; a listener's name is its protocol. */
export const SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;

/** A security protocol (and listener name). */
export type SecurityProtocol = typeof SECURITY_PROTOCOLS[number];

/** One listener: where it binds, what it advertises, whether it speaks TLS and SASL. */
export interface ListenerConfig {
  name: SecurityProtocol;
  /** Bind address ("0.0.0.0" for an empty host). */
  host: string;
  port: number;
  advertisedHost: string;
  /** 0 when the listener binds port 0: the bound port is advertised. */
  advertisedPort: number;
  tls: boolean;
  sasl: boolean;
}

const mechanisms = z.string().transform((v, ctx) => {
  const names = [...new Set(v.split(",").map((m) => m.trim()).filter(Boolean))];
  const unknown = names.find((m) => !isSaslMechanism(m));
  if (unknown !== undefined || names.length === 0) {
    ctx.addIssue({
      code: "custom",
      message: unknown !== undefined
        ? `unknown mechanism ${unknown} (${SASL_MECHANISMS.join(", ")})`
        : "must name at least one mechanism",
    });
    return z.NEVER;
  }
  return names as SaslMechanism[];
});

const principals = z.string().transform((v, ctx) => {
  const list = [...new Set(v.split(";").map((p) => p.trim()).filter(Boolean))];
  const bad = list.find((p) => !/^[^:\s]+:\S/.test(p));
  if (bad !== undefined) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(bad)} is not a principal (User:<name>)`,
    });
    return z.NEVER;
  }
  return list;
});

/** The security settings, spliced into the broker's settings table after the broker address. */
export const SECURITY_SETTINGS = {
  listeners: [
    "KAFSCALE_LISTENERS",
    "",
    "Listeners NAME://host:port,... (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL); default: KAFSCALE_BROKER_ADDR as PLAINTEXT",
    z.string(),
  ],
  advertisedListeners: [
    "KAFSCALE_ADVERTISED_LISTENERS",
    "",
    "Advertised NAME://host:port per listener (default: KAFSCALE_BROKER_HOST, listener port)",
    z.string(),
  ],
  tlsCertFile: [
    "KAFSCALE_TLS_CERT_FILE",
    "",
    "PEM certificate chain of SSL and SASL_SSL listeners (reloaded on SIGHUP)",
    z.string(),
  ],
  tlsKeyFile: [
    "KAFSCALE_TLS_KEY_FILE",
    "",
    "PEM private key of KAFSCALE_TLS_CERT_FILE",
    z.string(),
  ],
  tlsCaFile: [
    "KAFSCALE_TLS_CA_FILE",
    "",
    "Not supported, must be unset: no client certificates (mutual TLS) on Deno",
    z.string().max(
      0,
      "client certificates (mutual TLS) are not supported: Deno's TLS listener cannot request them; unset it and use SASL",
    ),
  ],
  saslMechanisms: [
    "KAFSCALE_SASL_MECHANISMS",
    "SCRAM-SHA-256,SCRAM-SHA-512",
    "SASL mechanisms of SASL listeners (PLAIN only when listed)",
    mechanisms,
  ],
  saslSessionLifetimeMs: [
    "KAFSCALE_SASL_SESSION_LIFETIME_MS",
    "0",
    "Re-authentication interval (KIP-368); 0: sessions never expire",
    int(0, 2147483647),
  ],
  authorizer: [
    "KAFSCALE_AUTHORIZER",
    "none",
    "acl: enforce Kafka ACLs on every request (CreateAcls/DescribeAcls/DeleteAcls manage them); none: no authorization",
    z.enum(["none", "acl"]),
  ],
  superUsers: [
    "KAFSCALE_SUPER_USERS",
    "",
    "Principals allowed everything by the acl authorizer, Kafka's form User:admin;User:ops",
    principals,
  ],
  allowEveryoneIfNoAclFound: [
    "KAFSCALE_ALLOW_EVERYONE_IF_NO_ACL_FOUND",
    "0",
    "acl authorizer: allow every principal on a resource no ACL names (Kafka's allow.everyone.if.no.acl.found)",
    bool,
  ],
} as const;

/** Raised with the one line naming the setting at fault. */
export class ListenerConfigError extends Error {}

/** What `parseListeners` reads. */
export interface ListenerVars {
  listeners: string;
  advertised: string;
  brokerAddr: string;
  /** KAFSCALE_BROKER_ADDR / KAFSCALE_BROKER_PORT as set (undefined when defaulted). */
  brokerAddrSet: boolean;
  brokerHost: string;
  brokerPort: number | "";
}

const ENTRY = /^([A-Za-z_]+):\/\/(\[[0-9a-fA-F:]+\]|[^:\s/,]*):(\d{1,5})$/;

function splitEntries(
  env: string,
  value: string,
): { name: SecurityProtocol; host: string; port: number }[] {
  const fail = (why: string): never => {
    throw new ListenerConfigError(`Invalid ${env}=${JSON.stringify(value)}: ${why}`);
  };
  const out: { name: SecurityProtocol; host: string; port: number }[] = [];
  for (const raw of value.split(",").map((e) => e.trim()).filter(Boolean)) {
    const m = ENTRY.exec(raw) ?? fail(`${JSON.stringify(raw)} is not NAME://host:port`);
    const name = m[1]!.toUpperCase();
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(name)) {
      fail(`unknown listener ${m[1]} (${SECURITY_PROTOCOLS.join(", ")})`);
    }
    const port = Number(m[3]);
    if (port > 65535) fail(`port ${port} is above 65535`);
    if (out.some((o) => o.name === name)) fail(`${name} is listed twice`);
    out.push({ name: name as SecurityProtocol, host: m[2]!.replace(/^\[|\]$/g, ""), port });
  }
  if (out.length === 0) fail("names no listener");
  return out;
}

const isWildcard = (h: string) => h === "" || h === "0.0.0.0" || h === "::";

/** Reads the listener list (see the module doc); throws ListenerConfigError naming the variable. */
export function parseListeners(v: ListenerVars): ListenerConfig[] {
  let bound: { name: SecurityProtocol; host: string; port: number }[];
  if (v.listeners === "") {
    const i = v.brokerAddr.lastIndexOf(":");
    bound = [{
      name: "PLAINTEXT",
      host: v.brokerAddr.slice(0, i).replace(/^\[|\]$/g, ""),
      port: Number(v.brokerAddr.slice(i + 1)),
    }];
    if (bound[0]!.port > 65535) {
      throw new ListenerConfigError(`Invalid KAFSCALE_BROKER_ADDR: port above 65535`);
    }
  } else {
    const both = (other: string) =>
      new ListenerConfigError(
        `Invalid ${other}: it is for a broker without KAFSCALE_LISTENERS; with listeners, ` +
          "use KAFSCALE_ADVERTISED_LISTENERS",
      );
    if (v.brokerAddrSet) throw both("KAFSCALE_BROKER_ADDR");
    if (v.brokerPort !== "") throw both("KAFSCALE_BROKER_PORT");
    bound = splitEntries("KAFSCALE_LISTENERS", v.listeners);
    const ports = bound.map((b) => b.port).filter((p) => p !== 0);
    const twice = ports.find((p, i) => ports.indexOf(p) !== i);
    if (twice !== undefined) {
      throw new ListenerConfigError(
        `Invalid KAFSCALE_LISTENERS=${JSON.stringify(v.listeners)}: port ${twice} is used twice`,
      );
    }
  }
  const advertised = v.advertised === ""
    ? []
    : splitEntries("KAFSCALE_ADVERTISED_LISTENERS", v.advertised);
  for (const a of advertised) {
    const bad = (why: string) =>
      new ListenerConfigError(
        `Invalid KAFSCALE_ADVERTISED_LISTENERS=${JSON.stringify(v.advertised)}: ${why}`,
      );
    if (!bound.some((b) => b.name === a.name)) throw bad(`${a.name} is not a listener`);
    if (isWildcard(a.host)) throw bad(`${a.name} must name a host clients can reach`);
  }
  return bound.map((b) => {
    const a = advertised.find((x) => x.name === b.name);
    const single = v.listeners === "" && v.brokerPort !== "" ? v.brokerPort : b.port;
    return {
      name: b.name,
      host: b.host === "" ? "0.0.0.0" : b.host,
      port: b.port,
      advertisedHost: a?.host ?? (v.brokerHost || (isWildcard(b.host) ? "localhost" : b.host)),
      advertisedPort: a?.port ?? single,
      tls: b.name === "SSL" || b.name === "SASL_SSL",
      sasl: b.name === "SASL_PLAINTEXT" || b.name === "SASL_SSL",
    };
  });
}

/** `NAME://host:port` of each listener as advertised, for logs and DescribeConfigs. */
export function advertisedListeners(listeners: readonly ListenerConfig[]): string {
  return listeners.map((l) => {
    const host = l.advertisedHost.includes(":") ? `[${l.advertisedHost}]` : l.advertisedHost;
    return `${l.name}://${host}:${l.advertisedPort}`;
  }).join(",");
}
