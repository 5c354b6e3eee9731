/**
 * The console's HTTP surface on the broker's HTTP listener: the page at `/ui/` and the JSON
 * API under `/api/v1/` it renders from (documented in README so scripts can use it too).
 * Read-only by construction: only GET and HEAD are served, every other method answers 405,
 * and no route calls anything that writes. Any broker answers for the whole cluster (topics and
 * groups come from the shared metadata store, records from committed segments in the object
 * store); charts merge every broker's samples, fetched from the other brokers' HTTP endpoints.
 * @module
 */
import type { SegmentCache } from "../log/segment_cache.ts";
import type { Authorizer, Requester } from "../auth/authorizer.ts";
import { ANONYMOUS } from "../server/sasl_session.ts";
import type { BrokerInfo } from "../cluster/membership.ts";
import {
  groupDetail,
  listGroups,
  listTopics,
  ownedBy,
  ownership,
  type PageQuery,
  topicDetail,
  type ViewSources,
  visibleTopics,
} from "./cluster_view.ts";
import { browse, NotFoundError, type StartAt } from "./record_browser.ts";
import { mergeSeries, type SeriesPoint, type SeriesSampler } from "./series.ts";
import { CONSOLE_PAGE } from "./page.ts";

/** Health figures the cluster page shows. */
export interface ConsoleHealth {
  objectStore: { state: string; latencyMs: number };
  metadataStore: { ok: boolean; secondsSinceAnswer: number };
  snapshotAgeSeconds: number | null;
}

/** What the console needs from the broker. */
export interface ConsoleOptions {
  sources: ViewSources;
  /** The broker's segment cache, which the record browser reads through. */
  cache: SegmentCache;
  sampler: SeriesSampler;
  clusterId: string;
  self(): BrokerInfo;
  health(): Promise<ConsoleHealth>;
  /**
   * Checks HTTP Basic credentials against the broker's user store; null when the broker has
   * no authentication (then the console is open, and says so).
   */
  login: ((user: string, password: string) => Promise<boolean>) | null;
  /**
   * The broker's authorizer: with ACLs on, a viewer (the logged-in user, or User:ANONYMOUS on
   * an open console) sees what Kafka's APIs would show it: topics with DESCRIBE, records with
   * READ, groups with DESCRIBE (and only the offsets of topics it may describe).
   */
  authorizer?: Authorizer;
  /** How long a call to another broker may take (ms). */
  peerTimeoutMs?: number;
}

/** Marks a call one broker makes to another, so it is served locally and never forwarded. */
const FORWARDED = "x-kafscale-forwarded";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });

const notFound = (what: string) => json({ error: `not found: ${what}` }, 404);
const forbidden = (why: string) => json({ error: `not authorized: ${why}` }, 403);

function pageQuery(url: URL, defLimit = 50): PageQuery {
  const num = (k: string, d: number) => {
    const v = Number(url.searchParams.get(k) ?? d);
    return Number.isFinite(v) ? Math.trunc(v) : d;
  };
  return {
    q: url.searchParams.get("q") ?? "",
    offset: num("offset", 0),
    limit: num("limit", defLimit),
  };
}

function startAt(url: URL): StartAt | string {
  const p = url.searchParams;
  const n = (k: string) => Number(p.get(k));
  if (p.has("offset")) {
    return Number.isSafeInteger(n("offset"))
      ? { kind: "offset", offset: n("offset") }
      : "offset must be an integer";
  }
  if (p.has("timestamp")) {
    return Number.isSafeInteger(n("timestamp"))
      ? { kind: "timestamp", timestamp: n("timestamp") }
      : "timestamp must be ms since the epoch";
  }
  if (p.has("last")) {
    return Number.isSafeInteger(n("last"))
      ? { kind: "last", count: n("last") }
      : "last must be an integer";
  }
  return { kind: "last", count: 20 };
}

/** The client of an HTTP request, as the ACLs' host test sees it. */
export interface HttpClient {
  host: string;
}

/** Builds the request handler; it answers null for paths that are not the console's. */
export function consoleHandler(
  options: ConsoleOptions,
): (req: Request, client: HttpClient) => Promise<Response | null> {
  const peerTimeoutMs = options.peerTimeoutMs ?? 3_000;

  async function fromPeer(b: BrokerInfo, path: string, req: Request): Promise<Response> {
    if (!b.http) throw new Error(`broker ${b.nodeId} registered no HTTP endpoint`);
    const headers: Record<string, string> = { [FORWARDED]: "1" };
    const auth = req.headers.get("authorization");
    if (auth) headers.authorization = auth;
    return await fetch(`http://${b.http.host}:${b.http.port}${path}`, {
      headers,
      signal: AbortSignal.timeout(peerTimeoutMs),
    });
  }

  async function brokers(sources: ViewSources) {
    const owned = await ownership(sources);
    const selfId = options.self().nodeId;
    const now = Date.now();
    return sources.cluster.live().map((b) => ({
      nodeId: b.nodeId,
      host: b.host,
      port: b.port,
      rack: b.rack,
      listeners: b.listeners,
      http: b.http ?? null,
      version: b.version || null,
      uptimeSeconds: b.startedMs ? Math.max(0, Math.round((now - b.startedMs) / 1000)) : null,
      controller: sources.cluster.controller().nodeId === b.nodeId,
      self: b.nodeId === selfId,
      partitions: owned.get(b.nodeId)?.partitions ?? 0,
      groups: owned.get(b.nodeId)?.groups ?? 0,
    }));
  }

  async function series(url: URL, req: Request) {
    const local = options.sampler.series();
    if (url.searchParams.get("scope") === "local" || req.headers.has(FORWARDED)) {
      return {
        intervalMs: options.sampler.intervalMs,
        brokers: [options.self().nodeId],
        missing: [],
        points: local,
      };
    }
    const selfId = options.self().nodeId;
    const all: SeriesPoint[][] = [local];
    const brokersIn = [selfId];
    const missing: number[] = [];
    await Promise.all(
      options.sources.cluster.live().filter((b) => b.nodeId !== selfId).map(async (b) => {
        try {
          const res = await fromPeer(b, "/api/v1/series?scope=local", req);
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          all.push((await res.json()).points as SeriesPoint[]);
          brokersIn.push(b.nodeId);
        } catch {
          missing.push(b.nodeId);
        }
      }),
    );
    return {
      intervalMs: options.sampler.intervalMs,
      brokers: brokersIn.sort((a, b) => a - b),
      missing: missing.sort((a, b) => a - b),
      points: mergeSeries(all),
    };
  }

  async function records(sources: ViewSources, topic: string, partition: number, url: URL) {
    const start = startAt(url);
    if (typeof start === "string") return json({ error: start }, 400);
    const limit = Number(url.searchParams.get("limit") ?? 50);
    try {
      return json(
        await browse({ ...sources, cache: options.cache }, topic, partition, start, limit),
      );
    } catch (e) {
      if (e instanceof NotFoundError) return notFound(e.message);
      throw e;
    }
  }

  async function route(
    url: URL,
    req: Request,
    who: Requester,
  ): Promise<Response> {
    const authorizer = options.authorizer?.enabled ? options.authorizer : null;
    const allowed = (operation: "DESCRIBE" | "READ", type: "TOPIC" | "GROUP", name: string) =>
      !authorizer || authorizer.authorize(who, operation, { type, name });
    const sources: ViewSources = authorizer
      ? {
        ...options.sources,
        may: {
          topic: (n) => allowed("DESCRIBE", "TOPIC", n),
          group: (g) => allowed("DESCRIBE", "GROUP", g),
        },
      }
      : options.sources;
    const parts = url.pathname.slice("/api/v1/".length).split("/").map(decodeURIComponent);
    const [what, name, sub, p, tail] = parts;
    if (what === "cluster" && parts.length === 1) {
      const live = sources.cluster.live();
      const topics = visibleTopics(sources);
      return json({
        clusterId: options.clusterId,
        brokers: live.length,
        controller: sources.cluster.controller().nodeId,
        version: options.self().version ?? null,
        topics: topics.length,
        partitions: topics.reduce((n, t) => n + t.partitions, 0),
        open: options.login === null,
        ...await options.health(),
      });
    }
    if (what === "brokers" && parts.length === 1) return json(await brokers(sources));
    if (what === "brokers" && name !== undefined && parts.length === 2) {
      const id = Number(name);
      const b = sources.cluster.live().find((x) => x.nodeId === id);
      if (!b) return notFound(`broker ${name}`);
      return json({ nodeId: id, ...await ownedBy(sources, id, pageQuery(url, 100)) });
    }
    if (what === "series" && parts.length === 1) return json(await series(url, req));
    if (what === "topics" && parts.length === 1) {
      return json(await listTopics(sources, pageQuery(url)));
    }
    if (what === "topics" && name !== undefined && parts.length === 2) {
      if (!allowed("DESCRIBE", "TOPIC", name)) return forbidden(`DESCRIBE on topic ${name}`);
      const t = await topicDetail(sources, name, pageQuery(url, 100));
      return t ? json(t) : notFound(`topic ${name}`);
    }
    if (
      what === "topics" && name !== undefined && sub === "partitions" && tail === "records" &&
      parts.length === 5
    ) {
      if (!allowed("READ", "TOPIC", name)) return forbidden(`READ on topic ${name}`);
      const partition = Number(p);
      if (!Number.isInteger(partition)) return json({ error: "partition must be an integer" }, 400);
      return await records(sources, name, partition, url);
    }
    if (what === "groups" && parts.length === 1) {
      return json(await listGroups(sources, pageQuery(url)));
    }
    if (what === "groups" && name !== undefined && parts.length === 2) {
      if (!allowed("DESCRIBE", "GROUP", name)) return forbidden(`DESCRIBE on group ${name}`);
      const g = await groupDetail(sources, name);
      return g ? json(g) : notFound(`group ${name}`);
    }
    return notFound(url.pathname);
  }

  /** The requester's principal (User:ANONYMOUS on an open console), or null: log in first. */
  async function principalOf(req: Request): Promise<string | null> {
    if (!options.login) return ANONYMOUS;
    const h = req.headers.get("authorization") ?? "";
    if (!h.startsWith("Basic ")) return null;
    let decoded: string;
    try {
      decoded = new TextDecoder().decode(Uint8Array.from(atob(h.slice(6)), (c) => c.charCodeAt(0)));
    } catch {
      return null;
    }
    const cut = decoded.indexOf(":");
    if (cut <= 0) return null;
    const user = decoded.slice(0, cut);
    return await options.login(user, decoded.slice(cut + 1)) ? `User:${user}` : null;
  }

  return async (req, client) => {
    const url = new URL(req.url);
    const isPage = url.pathname === "/ui" || url.pathname.startsWith("/ui/");
    const isApi = url.pathname.startsWith("/api/v1/");
    if (!isPage && !isApi) return null;
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("the console is read-only: only GET and HEAD are served\n", {
        status: 405,
        headers: { allow: "GET, HEAD" },
      });
    }
    const principal = await principalOf(req);
    if (principal === null) {
      return new Response("log in with a KafScale user (SCRAM credentials)\n", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="kafscale", charset="UTF-8"' },
      });
    }
    if (url.pathname === "/ui") return Response.redirect(new URL("/ui/", url), 301);
    if (isPage) {
      return new Response(url.pathname === "/ui/" ? CONSOLE_PAGE : "not found\n", {
        status: url.pathname === "/ui/" ? 200 : 404,
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    }
    try {
      return await route(url, req, { principal, host: client.host });
    } catch (e) {
      return json({ error: (e as Error).message }, 500);
    }
  };
}
