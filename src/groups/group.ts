/**
 * One classic consumer group's membership state machine (the protocol Apache Kafka calls
 * "classic"). States:
 *
 *   Empty --join--> PreparingRebalance --all joined / rebalance timeout--> CompletingRebalance
 *   CompletingRebalance --leader's SyncGroup--> Stable --join/leave/expiry--> PreparingRebalance
 *   any --last member gone--> Empty;   any --deleted--> Dead
 *
 * Assignors run in the clients: the leader's SyncGroup assignment is stored and handed out as
 * sent. Timers (session expiry, rebalance timeout) are owned here and cleared on `dispose`.
 * @module
 */
import { KafkaError } from "../protocol/errors.ts";

/** Group states, named as Kafka names them in DescribeGroups/ListGroups. */
export type GroupStateName =
  | "Empty"
  | "PreparingRebalance"
  | "CompletingRebalance"
  | "Stable"
  | "Dead";

/** What a JoinGroup answers. */
export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: { memberId: string; groupInstanceId: string | null; metadata: Uint8Array }[];
}

/** One member. */
export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: { name: string; metadata: Uint8Array }[];
  assignment: Uint8Array;
  joinWaiter?: (r: JoinResult) => void;
  syncWaiter?: (r: { errorCode: number; assignment: Uint8Array }) => void;
  sessionTimer?: ReturnType<typeof setTimeout>;
}

/** Join parameters. */
export interface JoinRequest {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Uint8Array }[];
  requireKnownMemberId: boolean;
}

/** Hooks the coordinator gives a group. */
export interface GroupHooks {
  /** Persist membership/assignment (called when the group becomes Stable or Empty). */
  persist(group: Group): void;
  /** Delay before the first rebalance of an empty group completes (lets members gather). */
  initialRebalanceDelayMs: number;
}

const same = (a: Uint8Array, b: Uint8Array) =>
  a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

/** A classic consumer group. */
export class Group {
  state: GroupStateName = "Empty";
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Dynamic members told MEMBER_ID_REQUIRED, who may now join with that id. */
  private readonly pendingIds = new Set<string>();
  private rebalanceTimer?: ReturnType<typeof setTimeout>;
  /** True while a new group waits `initialRebalanceDelayMs` for more members to arrive. */
  private delayingInitial = false;

  constructor(readonly groupId: string, private readonly hooks: GroupHooks) {}

  /** The member holding a static instance id. */
  memberByInstance(instanceId: string): Member | undefined {
    for (const m of this.members.values()) if (m.groupInstanceId === instanceId) return m;
    return undefined;
  }

  private newMemberId(clientId: string, instanceId: string | null): string {
    return `${instanceId ?? clientId}-${crypto.randomUUID()}`;
  }

  /** Handles a JoinGroup; resolves when the rebalance completes (or at once for errors). */
  join(req: JoinRequest): Promise<JoinResult> {
    if (this.state === "Dead") throw new KafkaError("COORDINATOR_NOT_AVAILABLE");
    if (this.members.size > 0 && !this.supports(req)) {
      throw new KafkaError("INCONSISTENT_GROUP_PROTOCOL", "no protocol in common with the group");
    }
    if (req.memberId === "") return this.joinNew(req);
    const member = this.members.get(req.memberId);
    if (!member) {
      if (!this.pendingIds.delete(req.memberId)) throw new KafkaError("UNKNOWN_MEMBER_ID");
      return this.addAndRebalance(req, req.memberId);
    }
    if (req.groupInstanceId !== null && member.groupInstanceId !== req.groupInstanceId) {
      throw new KafkaError("FENCED_INSTANCE_ID");
    }
    const changed = !this.sameProtocols(member, req.protocols);
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    if (this.state === "Stable" && !changed && member.memberId !== this.leaderId) {
      this.touch(member);
      return Promise.resolve(this.joinResult(member));
    }
    if (this.state === "CompletingRebalance" && !changed) {
      this.touch(member);
      return Promise.resolve(this.joinResult(member));
    }
    return this.waitForJoin(member, () => this.prepareRebalance());
  }

  private joinNew(req: JoinRequest): Promise<JoinResult> {
    if (req.groupInstanceId !== null) {
      const old = this.memberByInstance(req.groupInstanceId);
      if (old) return this.replaceStatic(old, req);
    }
    const memberId = this.newMemberId(req.clientId, req.groupInstanceId);
    if (req.requireKnownMemberId && req.groupInstanceId === null) {
      this.pendingIds.add(memberId);
      return Promise.resolve({
        ...this.emptyResult(memberId),
        errorCode: 79, /* MEMBER_ID_REQUIRED */
      });
    }
    return this.addAndRebalance(req, memberId);
  }

  /** A static member restarted: it takes over its old slot; no rebalance if nothing changed. */
  private replaceStatic(old: Member, req: JoinRequest): Promise<JoinResult> {
    const memberId = this.newMemberId(req.clientId, req.groupInstanceId);
    this.clearSession(old);
    old.joinWaiter?.({ ...this.emptyResult(old.memberId), errorCode: 82 /* FENCED_INSTANCE_ID */ });
    old.syncWaiter?.({ errorCode: 82, assignment: new Uint8Array(0) });
    this.members.delete(old.memberId);
    const member: Member = {
      ...old,
      ...this.memberFields(req),
      memberId,
      joinWaiter: undefined,
      syncWaiter: undefined,
    };
    this.members.set(memberId, member);
    if (this.leaderId === old.memberId) this.leaderId = memberId;
    const changed = !this.sameProtocols(old, req.protocols);
    if (this.state === "Stable" && !changed) {
      this.touch(member);
      this.hooks.persist(this);
      // The leader must not reassign: tell it to skip assignment (v9+), followers get nothing to do.
      return Promise.resolve({
        ...this.joinResult(member),
        skipAssignment: member.memberId === this.leaderId,
      });
    }
    return this.waitForJoin(member, () => this.prepareRebalance());
  }

  private memberFields(req: JoinRequest) {
    return {
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
    };
  }

  private addAndRebalance(req: JoinRequest, memberId: string): Promise<JoinResult> {
    if (this.members.size === 0) this.protocolType = req.protocolType;
    const member: Member = { memberId, ...this.memberFields(req), assignment: new Uint8Array(0) };
    this.members.set(memberId, member);
    return this.waitForJoin(member, () => this.prepareRebalance());
  }

  private waitForJoin(member: Member, start: () => void): Promise<JoinResult> {
    return new Promise((resolve) => {
      member.joinWaiter = resolve;
      this.touch(member);
      start();
      this.maybeCompleteJoin();
    });
  }

  private supports(req: JoinRequest): boolean {
    if (req.protocolType !== this.protocolType) return false;
    return req.protocols.some((p) => this.candidates().has(p.name));
  }

  private candidates(): Set<string> {
    let common: string[] | null = null;
    for (const m of this.members.values()) {
      const names = new Set(m.protocols.map((p) => p.name));
      common = common === null ? [...names] : common.filter((n: string) => names.has(n));
    }
    return new Set(common ?? []);
  }

  private sameProtocols(m: Member, protocols: JoinRequest["protocols"]): boolean {
    return m.protocols.length === protocols.length &&
      m.protocols.every((p, i) =>
        p.name === protocols[i]!.name && same(p.metadata, protocols[i]!.metadata)
      );
  }

  /** Moves to PreparingRebalance and arms the rebalance timeout. */
  prepareRebalance(): void {
    if (this.state === "PreparingRebalance") return;
    const wasEmpty = this.state === "Empty";
    // Members waiting in SyncGroup for the old generation must rejoin.
    for (const m of this.members.values()) {
      m.syncWaiter?.({ errorCode: 27, /* REBALANCE_IN_PROGRESS */ assignment: new Uint8Array(0) });
      m.syncWaiter = undefined;
    }
    this.state = "PreparingRebalance";
    const timeout = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    const delay = wasEmpty ? Math.min(this.hooks.initialRebalanceDelayMs, timeout) : timeout;
    clearTimeout(this.rebalanceTimer);
    this.delayingInitial = wasEmpty && delay > 0;
    this.rebalanceTimer = setTimeout(() => {
      this.delayingInitial = false;
      this.completeJoin();
    }, wasEmpty ? delay : timeout);
  }

  private maybeCompleteJoin(): void {
    if (this.state !== "PreparingRebalance") return;
    if ([...this.members.values()].every((m) => m.joinWaiter)) {
      // With an initial delay pending, let other members of a new group arrive first.
      if (this.delayingInitial) return;
      this.completeJoin();
    }
  }

  /** Ends the join phase: members that did not rejoin are removed, a new generation starts. */
  private completeJoin(): void {
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = undefined;
    if (this.state !== "PreparingRebalance") return;
    for (const m of [...this.members.values()]) {
      if (!m.joinWaiter) this.remove(m);
    }
    if (this.members.size === 0) {
      this.toEmpty();
      return;
    }
    this.generationId++;
    this.protocolName = this.chooseProtocol();
    if (!this.leaderId || !this.members.has(this.leaderId)) {
      this.leaderId = this.members.keys().next().value!;
    }
    this.state = "CompletingRebalance";
    for (const m of this.members.values()) {
      const waiter = m.joinWaiter!;
      m.joinWaiter = undefined;
      this.touch(m);
      waiter(this.joinResult(m));
    }
  }

  private chooseProtocol(): string {
    const common = this.candidates();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const first = m.protocols.find((p) => common.has(p.name));
      if (first) votes.set(first.name, (votes.get(first.name) ?? 0) + 1);
    }
    return [...votes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? [...common][0] ?? "";
  }

  private emptyResult(memberId: string): JoinResult {
    return {
      errorCode: 0,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: "",
      skipAssignment: false,
      memberId,
      members: [],
    };
  }

  private joinResult(m: Member): JoinResult {
    const isLeader = m.memberId === this.leaderId;
    return {
      errorCode: 0,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leader: this.leaderId ?? "",
      skipAssignment: false,
      memberId: m.memberId,
      members: isLeader
        ? [...this.members.values()].map((x) => ({
          memberId: x.memberId,
          groupInstanceId: x.groupInstanceId,
          metadata: x.protocols.find((p) => p.name === this.protocolName)?.metadata ??
            new Uint8Array(0),
        }))
        : [],
    };
  }

  /** Checks member id, instance id and generation; throws the Kafka error that applies. */
  validate(memberId: string, instanceId: string | null, generationId: number): Member {
    if (instanceId !== null) {
      const holder = this.memberByInstance(instanceId);
      if (holder && holder.memberId !== memberId) throw new KafkaError("FENCED_INSTANCE_ID");
    }
    const m = this.members.get(memberId);
    if (!m) throw new KafkaError("UNKNOWN_MEMBER_ID");
    if (generationId !== this.generationId) throw new KafkaError("ILLEGAL_GENERATION");
    return m;
  }

  /** Handles a SyncGroup; the leader's assignment completes the rebalance. */
  sync(
    memberId: string,
    instanceId: string | null,
    generationId: number,
    assignments: { memberId: string; assignment: Uint8Array }[],
  ): Promise<{ errorCode: number; assignment: Uint8Array }> {
    const m = this.validate(memberId, instanceId, generationId);
    this.touch(m);
    if (this.state === "PreparingRebalance") throw new KafkaError("REBALANCE_IN_PROGRESS");
    if (this.state === "Stable") return Promise.resolve({ errorCode: 0, assignment: m.assignment });
    return new Promise((resolve) => {
      m.syncWaiter = resolve;
      if (memberId !== this.leaderId) return;
      const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
      for (const x of this.members.values()) {
        x.assignment = given.get(x.memberId) ?? new Uint8Array(0);
      }
      this.state = "Stable";
      this.hooks.persist(this);
      for (const x of this.members.values()) {
        x.syncWaiter?.({ errorCode: 0, assignment: x.assignment });
        x.syncWaiter = undefined;
      }
    });
  }

  /** Handles a Heartbeat. */
  heartbeat(memberId: string, instanceId: string | null, generationId: number): void {
    if (this.state === "Empty" || this.state === "Dead") throw new KafkaError("UNKNOWN_MEMBER_ID");
    const m = this.validate(memberId, instanceId, generationId);
    this.touch(m);
    if (this.state === "PreparingRebalance") throw new KafkaError("REBALANCE_IN_PROGRESS");
  }

  /** Removes a leaving member and rebalances the rest. */
  leave(memberId: string, instanceId: string | null): void {
    let m = memberId ? this.members.get(memberId) : undefined;
    if (!m && instanceId !== null) m = this.memberByInstance(instanceId);
    if (!m) throw new KafkaError("UNKNOWN_MEMBER_ID");
    if (instanceId !== null && m.groupInstanceId !== instanceId) {
      throw new KafkaError("FENCED_INSTANCE_ID");
    }
    if (memberId && instanceId !== null && m.memberId !== memberId) {
      throw new KafkaError("FENCED_INSTANCE_ID");
    }
    this.removeAndRebalance(m);
  }

  private removeAndRebalance(m: Member): void {
    m.joinWaiter?.({ ...this.emptyResult(m.memberId), errorCode: 25 /* UNKNOWN_MEMBER_ID */ });
    this.remove(m);
    if (this.members.size === 0 && this.state !== "PreparingRebalance") this.toEmpty();
    else if (this.state === "Stable" || this.state === "CompletingRebalance") {
      this.prepareRebalance();
    } else this.maybeCompleteJoin();
  }

  private remove(m: Member): void {
    this.clearSession(m);
    this.members.delete(m.memberId);
    if (this.leaderId === m.memberId) this.leaderId = null;
  }

  private toEmpty(): void {
    this.delayingInitial = false;
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = undefined;
    this.state = "Empty";
    this.generationId++;
    this.protocolName = null;
    this.leaderId = null;
    this.hooks.persist(this);
  }

  /** Restarts a member's session timer. */
  touch(m: Member): void {
    this.clearSession(m);
    m.sessionTimer = setTimeout(() => {
      if (this.members.get(m.memberId) === m) this.removeAndRebalance(m);
    }, m.sessionTimeoutMs);
  }

  private clearSession(m: Member): void {
    if (m.sessionTimer !== undefined) clearTimeout(m.sessionTimer);
    m.sessionTimer = undefined;
  }

  /** Stops every timer and fails waiting requests (broker shutdown or group deletion). */
  dispose(dead = false): void {
    clearTimeout(this.rebalanceTimer);
    for (const m of this.members.values()) {
      this.clearSession(m);
      m.joinWaiter?.({
        ...this.emptyResult(m.memberId),
        errorCode: 15, /* COORDINATOR_NOT_AVAILABLE */
      });
      m.syncWaiter?.({ errorCode: 15, assignment: new Uint8Array(0) });
    }
    if (dead) {
      this.members.clear();
      this.state = "Dead";
    }
  }

  /** Loads a persisted member (after a broker restart) with a fresh session timer. */
  restore(member: Member): void {
    this.members.set(member.memberId, member);
    this.touch(member);
  }
}
