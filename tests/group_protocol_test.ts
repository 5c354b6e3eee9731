/**
 * Group protocol bad input over a real socket: each request gets Kafka's error code and the
 * group is left as it was.
 */
import { assertEquals } from "../src/testing/assert.ts";
import { inProcessBroker } from "./_inprocess.ts";
import { JoinGroup, type JoinGroupResponse } from "../src/protocol/messages/11_join_group.ts";
import { Heartbeat, type HeartbeatResponse } from "../src/protocol/messages/12_heartbeat.ts";
import { SyncGroup, type SyncGroupResponse } from "../src/protocol/messages/14_sync_group.ts";
import {
  OffsetCommit,
  type OffsetCommitResponse,
} from "../src/protocol/messages/08_offset_commit.ts";
import { OffsetFetch, type OffsetFetchResponse } from "../src/protocol/messages/09_offset_fetch.ts";
import { ErrorCode } from "../src/protocol/errors.ts";

const protocols = [{ name: "range", metadata: new Uint8Array([0, 0, 0, 0, 0, 0]) }];
const join = (memberId: string, extra: Record<string, unknown> = {}) => ({
  groupId: "bad",
  sessionTimeoutMs: 10000,
  rebalanceTimeoutMs: 10000,
  memberId,
  groupInstanceId: null,
  protocolType: "consumer",
  protocols,
  reason: null,
  ...extra,
});

Deno.test("group bad input: empty protocols, bad session timeouts, stale generations, unknown members and topics get Kafka's codes", async () => {
  const t = await inProcessBroker({ KAFSCALE_GROUP_INITIAL_REBALANCE_DELAY_MS: "0" });
  try {
    const c = t.client;
    let j = await c.request<JoinGroupResponse>(JoinGroup, 7, join("", { protocols: [] }));
    assertEquals(j.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    for (const s of [10, 1_900_000]) {
      j = await c.request<JoinGroupResponse>(JoinGroup, 7, join("", { sessionTimeoutMs: s }));
      assertEquals(j.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    // v4+: a new member first gets MEMBER_ID_REQUIRED with its id, then joins with it.
    j = await c.request<JoinGroupResponse>(JoinGroup, 7, join(""));
    assertEquals(j.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    const id = j.memberId;
    j = await c.request<JoinGroupResponse>(JoinGroup, 7, join(id));
    assertEquals([j.errorCode, j.generationId, j.leader], [0, 1, id]);
    const s = await c.request<SyncGroupResponse>(SyncGroup, 5, {
      groupId: "bad",
      generationId: 1,
      memberId: id,
      groupInstanceId: null,
      protocolType: "consumer",
      protocolName: "range",
      assignments: [{ memberId: id, assignment: new Uint8Array([1, 2, 3]) }],
    });
    assertEquals([s.errorCode, [...s.assignment]], [0, [1, 2, 3]]);
    const hb = (generationId: number, memberId: string) =>
      c.request<HeartbeatResponse>(Heartbeat, 4, {
        groupId: "bad",
        generationId,
        memberId,
        groupInstanceId: null,
      });
    assertEquals((await hb(1, id)).errorCode, 0);
    assertEquals((await hb(0, id)).errorCode, ErrorCode.ILLEGAL_GENERATION);
    assertEquals((await hb(1, "who")).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const commit = await c.request<OffsetCommitResponse>(OffsetCommit, 8, {
      groupId: "bad",
      generationIdOrMemberEpoch: 1,
      memberId: id,
      groupInstanceId: null,
      topics: [{
        name: "no-such-topic",
        partitions: [{
          partitionIndex: 0,
          committedOffset: 5,
          committedLeaderEpoch: -1,
          committedMetadata: "",
        }],
      }],
    });
    assertEquals(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const stale = await c.request<OffsetCommitResponse>(OffsetCommit, 8, {
      groupId: "bad",
      generationIdOrMemberEpoch: 7,
      memberId: id,
      groupInstanceId: null,
      topics: [{
        name: "no-such-topic",
        partitions: [{
          partitionIndex: 0,
          committedOffset: 5,
          committedLeaderEpoch: -1,
          committedMetadata: "",
        }],
      }],
    });
    assertEquals(stale.topics[0]!.partitions[0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    // Nothing changed: still generation 1 and the same member; a missing offset reads -1.
    assertEquals((await hb(1, id)).errorCode, 0);
    const f = await c.request<OffsetFetchResponse>(OffsetFetch, 7, {
      groupId: "bad",
      topics: [{ name: "no-such-topic", partitionIndexes: [0] }],
      requireStable: false,
    });
    assertEquals(f.topics?.[0]?.partitions?.[0]?.committedOffset, -1);
  } finally {
    await t.close();
  }
});

Deno.test("group expiry: an empty group and its offsets expire after the offsets retention; active groups stay", async () => {
  const t = await inProcessBroker({ KAFSCALE_OFFSETS_RETENTION_MS: "60000" });
  try {
    const { createTopic, commitOffsets } = await import("./_setup.ts");
    await createTopic(t.address, "exp", 1);
    await commitOffsets(t.address, "old-group", "exp", [3]);
    const groups = t.broker.services.groups;
    assertEquals(await groups.expire(Date.now()), []); // not yet
    assertEquals(await groups.expire(Date.now() + 61_000), ["old-group"]);
    const f = await t.client.request<OffsetFetchResponse>(OffsetFetch, 7, {
      groupId: "old-group",
      topics: [{ name: "exp", partitionIndexes: [0] }],
      requireStable: false,
    });
    assertEquals(f.topics?.[0]?.partitions?.[0]?.committedOffset, -1);
    assertEquals(groups.get("old-group"), undefined);
  } finally {
    await t.close();
  }
});
