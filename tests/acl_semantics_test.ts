/**
 * The authorizer's rules through the broker, over SASL: a principal without READ gets
 * TOPIC_AUTHORIZATION_FAILED from Fetch and does not see the topic in Metadata (READ alone lets
 * it see and read); per-resource answers inside one request (Produce to two topics, OffsetCommit
 * with the group but not the topic, a broker's configs); prefixed ACLs, User:*, DENY over ALLOW,
 * hosts; auto-creation needs CREATE; InitProducerId with WRITE on any topic; super users; and
 * the ACL APIs' validation and their SECURITY_DISABLED answer without the acl authorizer.
 */
import { assertEquals } from "../src/testing/assert.ts";
import type { KafkaConnection } from "../src/client/connection.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import {
  OffsetCommit,
  type OffsetCommitResponse,
} from "../src/protocol/messages/08_offset_commit.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../src/protocol/messages/19_create_topics.ts";
import {
  InitProducerId,
  type InitProducerIdResponse,
} from "../src/protocol/messages/22_init_producer_id.ts";
import {
  DescribeAcls,
  type DescribeAclsResponse,
} from "../src/protocol/messages/29_describe_acls.ts";
import { CreateAcls, type CreateAclsResponse } from "../src/protocol/messages/30_create_acls.ts";
import {
  DescribeConfigs,
  type DescribeConfigsResponse,
} from "../src/protocol/messages/32_describe_configs.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { inProcessBroker } from "./_inprocess.ts";
import { type AclBroker, startAclBroker } from "./_acl.ts";

const TOPIC = 29;
const GROUP = 30;
const CLUSTER = 31;

const records = () => buildRecordBatch([{ value: new TextEncoder().encode("x") }]);

async function createTopics(b: AclBroker, ...names: string[]): Promise<void> {
  const r = await b.admin.request<CreateTopicsResponse>(CreateTopics, 7, {
    topics: names.map((name) => ({
      name,
      numPartitions: 1,
      replicationFactor: 1,
      assignments: [],
      configs: [],
    })),
    timeoutMs: 5000,
    validateOnly: false,
  });
  assertEquals(r.topics.map((t) => t.errorCode), names.map(() => 0));
}

/** Produces one record to each topic as `c`; the error code per topic. */
async function produce(c: KafkaConnection, ...topics: string[]): Promise<number[]> {
  const r = await c.request<ProduceResponse>(Produce, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: topics.map((name) => ({
      name,
      partitionData: [{ index: 0, records: records() }],
    })),
  });
  return r.responses.map((t) => t.partitionResponses[0]!.errorCode);
}

/** Fetches partition 0 of each topic from offset 0; [error code, records?] per topic. */
async function fetch(c: KafkaConnection, ...topics: string[]): Promise<[number, boolean][]> {
  const r = await c.request<FetchResponse>(Fetch, 12, {
    clusterId: null,
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: topics.map((topic) => ({
      topic,
      partitions: [{
        partition: 0,
        currentLeaderEpoch: -1,
        fetchOffset: 0,
        lastFetchedEpoch: -1,
        logStartOffset: -1,
        partitionMaxBytes: 1 << 20,
      }],
    })),
    forgottenTopicsData: [],
    rackId: "",
  });
  return r.responses.map((t) => {
    const p = t.partitions[0]!;
    return [p.errorCode, (p.records?.byteLength ?? 0) > 0];
  });
}

/** Every topic Metadata lists for `c`, and the answer for `named` (no auto-creation). */
async function metadata(
  c: KafkaConnection,
  named: string,
  autoCreate = false,
): Promise<{ listed: string[]; named: number }> {
  const md = (topics: { name: string }[] | null) =>
    c.request<MetadataResponse>(Metadata, 12, {
      topics,
      allowAutoTopicCreation: autoCreate,
      includeTopicAuthorizedOperations: false,
    });
  return {
    listed: (await md(null)).topics.map((t) => t.name!).sort(),
    named: (await md([{ name: named }])).topics[0]!.errorCode,
  };
}

Deno.test("acl: without READ a consumer gets TOPIC_AUTHORIZATION_FAILED and does not see the topic; READ lets it see and read", async () => {
  const b = await startAclBroker();
  try {
    await createTopics(b, "secret", "public");
    assertEquals(await produce(b.admin, "secret", "public"), [0, 0]);
    await b.grant({ type: "TOPIC", name: "public", op: "READ", principal: "User:bob" });
    const bob = await b.login("bob");
    assertEquals(await fetch(bob, "secret", "public"), [[TOPIC, false], [0, true]]);
    assertEquals(await metadata(bob, "secret"), { listed: ["public"], named: TOPIC });
    // Nor is a topic that does not exist told apart from one bob may not see.
    assertEquals((await metadata(bob, "no-such-topic")).named, TOPIC);
    await b.grant({ type: "TOPIC", name: "secret", op: "READ", principal: "User:bob" });
    assertEquals(await fetch(bob, "secret"), [[0, true]]);
    assertEquals(await metadata(bob, "secret"), { listed: ["public", "secret"], named: 0 });
    // The super user needs no ACL.
    assertEquals((await metadata(b.admin, "secret")).named, 0);
  } finally {
    await b.close();
  }
});

Deno.test("acl: per-resource answers inside one request", async () => {
  const b = await startAclBroker();
  try {
    await createTopics(b, "a", "b");
    await b.grant(
      { type: "TOPIC", name: "a", op: "WRITE", principal: "User:alice" },
      { type: "GROUP", name: "g", op: "READ", principal: "User:alice" },
      { type: "TOPIC", name: "a", op: "DESCRIBE_CONFIGS", principal: "User:alice" },
    );
    const alice = await b.login("alice");
    assertEquals(await produce(alice, "a", "b"), [0, TOPIC]);
    const commit = await alice.request<OffsetCommitResponse>(OffsetCommit, 8, {
      groupId: "g",
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      topics: ["a", "b"].map((name) => ({
        name,
        partitions: [{
          partitionIndex: 0,
          committedOffset: 0,
          committedLeaderEpoch: -1,
          committedMetadata: "",
        }],
      })),
    });
    // WRITE does not give READ: the group is allowed, neither topic is.
    assertEquals(commit.topics.map((t) => t.partitions[0]!.errorCode), [TOPIC, TOPIC]);
    const configs = await alice.request<DescribeConfigsResponse>(DescribeConfigs, 4, {
      resources: [
        { resourceType: 2, resourceName: "a", configurationKeys: null },
        { resourceType: 2, resourceName: "b", configurationKeys: null },
        { resourceType: 4, resourceName: "0", configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    assertEquals(configs.results.map((r) => r.errorCode), [0, TOPIC, CLUSTER]);
    const other = await alice.request<OffsetCommitResponse>(OffsetCommit, 8, {
      groupId: "other-group",
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [{ name: "a", partitions: [{ partitionIndex: 0, committedOffset: 0 }] }],
    });
    assertEquals(other.topics[0]!.partitions[0]!.errorCode, GROUP);
  } finally {
    await b.close();
  }
});

Deno.test("acl: prefixed patterns, User:*, DENY over ALLOW, and hosts", async () => {
  const b = await startAclBroker();
  try {
    await createTopics(b, "app-orders", "app-payments", "other");
    await b.grant(
      { type: "TOPIC", name: "app-", op: "WRITE", principal: "User:alice", pattern: "PREFIXED" },
      { type: "TOPIC", name: "*", op: "WRITE", principal: "User:*" },
      { type: "TOPIC", name: "app-payments", op: "WRITE", principal: "User:bob", deny: true },
      { type: "TOPIC", name: "other", op: "ALL", principal: "User:carol", deny: true },
    );
    const [alice, bob, carol] = [
      await b.login("alice"),
      await b.login("bob"),
      await b.login("carol"),
    ];
    assertEquals(await produce(alice, "app-orders", "app-payments", "other"), [0, 0, 0]);
    assertEquals(await produce(bob, "app-orders", "app-payments", "other"), [0, TOPIC, 0]);
    assertEquals(await produce(carol, "app-orders", "other"), [0, TOPIC]);
    // An ACL from another host does not apply to a client on 127.0.0.1; one from it does.
    await b.revokeAll("User:*");
    await b.grant({
      type: "TOPIC",
      name: "other",
      op: "WRITE",
      principal: "User:bob",
      host: "10.1.2.3",
    });
    assertEquals(await produce(bob, "other"), [TOPIC]);
    await b.grant({
      type: "TOPIC",
      name: "other",
      op: "WRITE",
      principal: "User:bob",
      host: "127.0.0.1",
    });
    assertEquals(await produce(bob, "other"), [0]);
  } finally {
    await b.close();
  }
});

Deno.test("acl: auto-creation needs CREATE; an idempotent producer needs IDEMPOTENT_WRITE or WRITE on some topic", async () => {
  const b = await startAclBroker();
  try {
    await b.grant(
      {
        type: "TOPIC",
        name: "auto-",
        op: "DESCRIBE",
        principal: "User:alice",
        pattern: "PREFIXED",
      },
      { type: "TOPIC", name: "auto-", op: "WRITE", principal: "User:bob", pattern: "PREFIXED" },
    );
    const [alice, bob] = [await b.login("alice"), await b.login("bob")];
    assertEquals((await metadata(alice, "auto-a", true)).named, TOPIC, "no CREATE");
    assertEquals(await produce(bob, "auto-b"), [3], "produce does not create it either");
    await b.grant({ type: "TOPIC", name: "auto-a", op: "CREATE", principal: "User:alice" });
    assertEquals((await metadata(alice, "auto-a", true)).named, 0, "created");
    const init = async (c: KafkaConnection) =>
      (await c.request<InitProducerIdResponse>(InitProducerId, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      })).errorCode;
    assertEquals(await init(alice), CLUSTER, "DESCRIBE is not WRITE");
    assertEquals(await init(bob), 0, "WRITE on topics auto-*");
  } finally {
    await b.close();
  }
});

Deno.test("acl: CreateAcls refuses what Kafka refuses; DescribeAcls filters with MATCH", async () => {
  const b = await startAclBroker();
  try {
    const creation = {
      resourceType: 2,
      resourceName: "orders",
      resourcePatternType: 3,
      principal: "User:alice",
      host: "*",
      operation: 3,
      permissionType: 3,
    };
    const r = await b.admin.request<CreateAclsResponse>(CreateAcls, 3, {
      creations: [
        creation,
        { ...creation, resourcePatternType: 4, resourceName: "ord" },
        { ...creation, resourceType: 4, resourceName: "orders" },
        { ...creation, principal: "alice" },
        { ...creation, resourceName: "" },
        { ...creation, operation: 1 },
        { ...creation, resourcePatternType: 2 },
        { ...creation, resourceType: 7 },
      ],
    });
    assertEquals(r.results.map((x) => x.errorCode), [0, 0, 42, 42, 42, 42, 42, 42]);
    assertEquals(
      r.results[2]!.errorMessage,
      "The only valid name for the CLUSTER resource is kafka-cluster",
    );
    const match = await b.admin.request<DescribeAclsResponse>(DescribeAcls, 3, {
      resourceTypeFilter: 2,
      resourceNameFilter: "orders",
      patternTypeFilter: 2,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    assertEquals(match.resources.map((x) => [x.resourceName, x.patternType, x.acls.length]), [
      ["orders", 3, 1],
      ["ord", 4, 1],
    ]);
    // v0 sees LITERAL ACLs only.
    const v0 = await b.admin.request<DescribeAclsResponse>(DescribeAcls, 0, {
      resourceTypeFilter: 1,
      resourceNameFilter: null,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    assertEquals(v0.resources.map((x) => x.resourceName), ["orders"]);
  } finally {
    await b.close();
  }
});

Deno.test("acl: without KAFSCALE_AUTHORIZER=acl everything is allowed and the ACL APIs answer SECURITY_DISABLED", async () => {
  const b = await inProcessBroker();
  try {
    const r = await b.client.request<DescribeAclsResponse>(DescribeAcls, 3, {
      resourceTypeFilter: 1,
      resourceNameFilter: null,
      patternTypeFilter: 1,
      principalFilter: null,
      hostFilter: null,
      operation: 1,
      permissionType: 1,
    });
    assertEquals([r.errorCode, r.errorMessage], [54, "No Authorizer is configured."]);
    assertEquals(await produce(b.client, "anything"), [0]);
  } finally {
    await b.close();
  }
});
