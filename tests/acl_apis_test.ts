/**
 * Every API the broker serves, over a real socket with SASL, as a principal allowed by exactly
 * the ACLs Kafka's authorizer asks for (alice) and as one without ACLs (bob): one row per API
 * key, and a check that the rows cover every key the registry serves, so a new API cannot be
 * added without its authorization being tested. Denied principals get the per-resource error
 * Kafka answers (TOPIC_, GROUP_, CLUSTER_AUTHORIZATION_FAILED) or see the resource left out.
 */
import { assertEquals } from "../src/testing/assert.ts";
import type { KafkaConnection } from "../src/client/connection.ts";
import { Produce, type ProduceResponse } from "../src/protocol/messages/00_produce.ts";
import { Fetch, type FetchResponse } from "../src/protocol/messages/01_fetch.ts";
import { ListOffsets, type ListOffsetsResponse } from "../src/protocol/messages/02_list_offsets.ts";
import { Metadata, type MetadataResponse } from "../src/protocol/messages/03_metadata.ts";
import {
  OffsetCommit,
  type OffsetCommitResponse,
} from "../src/protocol/messages/08_offset_commit.ts";
import { OffsetFetch, type OffsetFetchResponse } from "../src/protocol/messages/09_offset_fetch.ts";
import {
  FindCoordinator,
  type FindCoordinatorResponse,
} from "../src/protocol/messages/10_find_coordinator.ts";
import { JoinGroup, type JoinGroupResponse } from "../src/protocol/messages/11_join_group.ts";
import { Heartbeat, type HeartbeatResponse } from "../src/protocol/messages/12_heartbeat.ts";
import { LeaveGroup, type LeaveGroupResponse } from "../src/protocol/messages/13_leave_group.ts";
import { SyncGroup, type SyncGroupResponse } from "../src/protocol/messages/14_sync_group.ts";
import {
  DescribeGroups,
  type DescribeGroupsResponse,
} from "../src/protocol/messages/15_describe_groups.ts";
import { ListGroups, type ListGroupsResponse } from "../src/protocol/messages/16_list_groups.ts";
import { ApiVersions, type ApiVersionsResponse } from "../src/protocol/messages/18_api_versions.ts";
import {
  CreateTopics,
  type CreateTopicsResponse,
} from "../src/protocol/messages/19_create_topics.ts";
import {
  DeleteTopics,
  type DeleteTopicsResponse,
} from "../src/protocol/messages/20_delete_topics.ts";
import {
  DeleteRecords,
  type DeleteRecordsResponse,
} from "../src/protocol/messages/21_delete_records.ts";
import {
  InitProducerId,
  type InitProducerIdResponse,
} from "../src/protocol/messages/22_init_producer_id.ts";
import {
  OffsetForLeaderEpoch,
  type OffsetForLeaderEpochResponse,
} from "../src/protocol/messages/23_offset_for_leader_epoch.ts";
import {
  DescribeAcls,
  type DescribeAclsResponse,
} from "../src/protocol/messages/29_describe_acls.ts";
import { CreateAcls, type CreateAclsResponse } from "../src/protocol/messages/30_create_acls.ts";
import { DeleteAcls, type DeleteAclsResponse } from "../src/protocol/messages/31_delete_acls.ts";
import {
  DescribeConfigs,
  type DescribeConfigsResponse,
} from "../src/protocol/messages/32_describe_configs.ts";
import {
  AlterConfigs,
  type AlterConfigsResponse,
} from "../src/protocol/messages/33_alter_configs.ts";
import {
  CreatePartitions,
  type CreatePartitionsResponse,
} from "../src/protocol/messages/37_create_partitions.ts";
import {
  DeleteGroups,
  type DeleteGroupsResponse,
} from "../src/protocol/messages/42_delete_groups.ts";
import {
  IncrementalAlterConfigs,
  type IncrementalAlterConfigsResponse,
} from "../src/protocol/messages/44_incremental_alter_configs.ts";
import {
  OffsetDelete,
  type OffsetDeleteResponse,
} from "../src/protocol/messages/47_offset_delete.ts";
import {
  DescribeClientQuotas,
  type DescribeClientQuotasResponse,
} from "../src/protocol/messages/48_describe_client_quotas.ts";
import {
  DescribeUserScramCredentials,
  type DescribeUserScramCredentialsResponse,
} from "../src/protocol/messages/50_describe_user_scram_credentials.ts";
import {
  AlterUserScramCredentials,
  type AlterUserScramCredentialsResponse,
} from "../src/protocol/messages/51_alter_user_scram_credentials.ts";
import {
  DescribeCluster,
  type DescribeClusterResponse,
} from "../src/protocol/messages/60_describe_cluster.ts";
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnResponse,
} from "../src/protocol/messages/24_add_partitions_to_txn.ts";
import {
  AddOffsetsToTxn,
  type AddOffsetsToTxnResponse,
} from "../src/protocol/messages/25_add_offsets_to_txn.ts";
import { EndTxn, type EndTxnResponse } from "../src/protocol/messages/26_end_txn.ts";
import {
  TxnOffsetCommit,
  type TxnOffsetCommitResponse,
} from "../src/protocol/messages/28_txn_offset_commit.ts";
import {
  DescribeProducers,
  type DescribeProducersResponse,
} from "../src/protocol/messages/61_describe_producers.ts";
import {
  DescribeTransactions,
  type DescribeTransactionsResponse,
} from "../src/protocol/messages/65_describe_transactions.ts";
import {
  ListTransactions,
  type ListTransactionsResponse,
} from "../src/protocol/messages/66_list_transactions.ts";
import { buildRecordBatch } from "../src/protocol/records/builder.ts";
import { type AclBroker, type Grant, opBits, startAclBroker } from "./_acl.ts";

const TOPIC = 29;
const GROUP = 30;
const CLUSTER = 31;
const TXN_ID = 53;
const NOT_REQUESTED = -2147483648;
const ANY_FILTER = {
  resourceTypeFilter: 1,
  resourceNameFilter: null,
  patternTypeFilter: 1,
  principalFilter: null,
  hostFilter: null,
  operation: 1,
  permissionType: 1,
};

/** One API: what alice is granted, the request, and what alice and then bob get. */
interface Row {
  key: number;
  grants: Omit<Grant, "principal">[];
  run(c: KafkaConnection, user: "alice" | "bob"): Promise<unknown>;
  allowed: unknown;
  denied: unknown;
}

/** State the group rows share (alice's member of group `jg`). */
const member = { id: "", generation: -1 };
let topicId: Uint8Array = new Uint8Array(16);
/** alice's transactional producer (transactional id `tx`). */
const txn = { producerId: -1, producerEpoch: -1 };
const TX = { type: "TRANSACTIONAL_ID" as const, name: "tx" };

const records = () => buildRecordBatch([{ value: new TextEncoder().encode("x") }]);

const ROWS: Row[] = [
  {
    key: 0,
    grants: [{ type: "TOPIC", name: "t", op: "WRITE" }],
    run: async (c) =>
      (await c.request<ProduceResponse>(Produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: "t", partitionData: [{ index: 0, records: records() }] }],
      })).responses[0]!.partitionResponses[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 1,
    grants: [{ type: "TOPIC", name: "t", op: "READ" }],
    async run(c) {
      const fetch = async (v: number) =>
        (await c.request<FetchResponse>(Fetch, v, {
          clusterId: null,
          replicaId: -1,
          replicaState: { replicaId: -1, replicaEpoch: -1 },
          maxWaitMs: 0,
          minBytes: 1,
          maxBytes: 1 << 20,
          isolationLevel: 0,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [{
            topic: "t",
            topicId,
            partitions: [{
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 1 << 20,
              replicaDirectoryId: new Uint8Array(16),
            }],
          }],
          forgottenTopicsData: [],
          rackId: "",
        })).responses[0]!.partitions[0]!;
      const [byName, byId] = [await fetch(12), await fetch(13)];
      return [byName.errorCode, (byName.records?.byteLength ?? 0) > 0, byId.errorCode];
    },
    allowed: [0, true, 0],
    denied: [TOPIC, false, TOPIC],
  },
  {
    key: 2,
    grants: [{ type: "TOPIC", name: "t", op: "DESCRIBE" }],
    run: async (c) =>
      (await c.request<ListOffsetsResponse>(ListOffsets, 7, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{
          name: "t",
          partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }],
        }],
      })).topics[0]!.partitions[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 3,
    grants: [
      { type: "TOPIC", name: "t", op: "DESCRIBE" },
      { type: "CLUSTER", name: "kafka-cluster", op: "DESCRIBE" },
    ],
    async run(c) {
      const md = (topics: { name: string; topicId: Uint8Array }[] | null) =>
        c.request<MetadataResponse>(Metadata, 10, {
          topics,
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: true,
          includeTopicAuthorizedOperations: true,
        });
      const all = await md(null);
      const named = await md([{ name: "t", topicId: new Uint8Array(16) }]);
      return {
        listed: all.topics.map((t) => t.name),
        topicOps: all.topics[0]?.topicAuthorizedOperations ?? null,
        named: named.topics[0]!.errorCode,
        clusterOps: all.clusterAuthorizedOperations,
      };
    },
    allowed: {
      listed: ["t"],
      topicOps: opBits("DESCRIBE"),
      named: 0,
      clusterOps: opBits("DESCRIBE"),
    },
    denied: { listed: [], topicOps: null, named: TOPIC, clusterOps: 0 },
  },
  {
    key: 8,
    grants: [{ type: "GROUP", name: "g", op: "READ" }, { type: "TOPIC", name: "t", op: "READ" }],
    run: async (c) =>
      (await c.request<OffsetCommitResponse>(OffsetCommit, 8, {
        groupId: "g",
        generationIdOrMemberEpoch: -1,
        memberId: "",
        groupInstanceId: null,
        topics: [{
          name: "t",
          partitions: [{
            partitionIndex: 0,
            committedOffset: 1,
            committedLeaderEpoch: -1,
            committedMetadata: "",
          }],
        }],
      })).topics[0]!.partitions[0]!.errorCode,
    allowed: 0,
    denied: GROUP,
  },
  {
    key: 9,
    grants: [
      { type: "GROUP", name: "g", op: "DESCRIBE" },
      { type: "TOPIC", name: "t", op: "DESCRIBE" },
    ],
    async run(c) {
      const r = await c.request<OffsetFetchResponse>(OffsetFetch, 8, {
        groups: [{ groupId: "g", topics: [{ name: "t", partitionIndexes: [0] }] }],
        requireStable: false,
      });
      const g = r.groups![0]!;
      const p = g.topics![0]?.partitions?.[0];
      return [g.errorCode, p?.errorCode ?? null, p?.committedOffset ?? null];
    },
    allowed: [0, 0, 1],
    denied: [GROUP, null, null],
  },
  {
    key: 10,
    grants: [{ type: "GROUP", name: "g", op: "DESCRIBE" }],
    run: async (c) =>
      (await c.request<FindCoordinatorResponse>(FindCoordinator, 4, {
        keyType: 0,
        coordinatorKeys: ["g"],
      })).coordinators![0]!.errorCode,
    allowed: 0,
    denied: GROUP,
  },
  {
    key: 11,
    grants: [{ type: "GROUP", name: "jg", op: "READ" }],
    async run(c, user) {
      const r = await c.request<JoinGroupResponse>(JoinGroup, 3, {
        groupId: "jg",
        sessionTimeoutMs: 30_000,
        rebalanceTimeoutMs: 30_000,
        memberId: "",
        protocolType: "consumer",
        protocols: [{ name: "range", metadata: new Uint8Array(0) }],
      });
      if (user === "alice") [member.id, member.generation] = [r.memberId, r.generationId];
      return r.errorCode;
    },
    allowed: 0,
    denied: GROUP,
  },
  {
    key: 14,
    grants: [{ type: "GROUP", name: "jg", op: "READ" }],
    run: async (c) =>
      (await c.request<SyncGroupResponse>(SyncGroup, 3, {
        groupId: "jg",
        generationId: member.generation,
        memberId: member.id,
        groupInstanceId: null,
        assignments: [{ memberId: member.id, assignment: new Uint8Array(0) }],
      })).errorCode,
    allowed: 0,
    denied: GROUP,
  },
  {
    key: 12,
    grants: [{ type: "GROUP", name: "jg", op: "READ" }],
    run: async (c) =>
      (await c.request<HeartbeatResponse>(Heartbeat, 3, {
        groupId: "jg",
        generationId: member.generation,
        memberId: member.id,
        groupInstanceId: null,
      })).errorCode,
    allowed: 0,
    denied: GROUP,
  },
  {
    key: 13,
    grants: [{ type: "GROUP", name: "jg", op: "READ" }],
    async run(c) {
      const r = await c.request<LeaveGroupResponse>(LeaveGroup, 3, {
        groupId: "jg",
        members: [{ memberId: member.id, groupInstanceId: null }],
      });
      return [r.errorCode, ...r.members!.map((m) => m.errorCode)];
    },
    allowed: [0, 0],
    denied: [GROUP],
  },
  {
    key: 15,
    grants: [{ type: "GROUP", name: "g", op: "DESCRIBE" }],
    async run(c) {
      const g = (await c.request<DescribeGroupsResponse>(DescribeGroups, 5, {
        groups: ["g"],
        includeAuthorizedOperations: true,
      })).groups[0]!;
      return [g.errorCode, g.authorizedOperations];
    },
    allowed: [0, opBits("DESCRIBE")],
    denied: [GROUP, NOT_REQUESTED],
  },
  {
    key: 16,
    grants: [{ type: "GROUP", name: "g", op: "DESCRIBE" }],
    async run(c) {
      const r = await c.request<ListGroupsResponse>(ListGroups, 4, {
        statesFilter: [],
        typesFilter: [],
      });
      return [r.errorCode, r.groups.map((g) => g.groupId)];
    },
    allowed: [0, ["g"]],
    denied: [0, []],
  },
  {
    key: 17,
    grants: [],
    // The login itself is SaslHandshake v1 + SaslAuthenticate v2: no ACL is needed.
    run: async (_c, user) => {
      await (await acl.login(user)).close();
      return "logged in";
    },
    allowed: "logged in",
    denied: "logged in",
  },
  {
    key: 18,
    grants: [],
    async run(c) {
      const r = await c.request<ApiVersionsResponse>(ApiVersions, 3, {
        clientSoftwareName: "acl-test",
        clientSoftwareVersion: "1",
      });
      return [r.errorCode, r.apiKeys.some((k) => k.apiKey === 30)];
    },
    allowed: [0, true],
    denied: [0, true],
  },
  {
    key: 19,
    grants: [{ type: "TOPIC", name: "fresh", op: "CREATE" }],
    async run(c) {
      const t = (await c.request<CreateTopicsResponse>(CreateTopics, 7, {
        topics: [{
          name: "fresh",
          numPartitions: 1,
          replicationFactor: 1,
          assignments: [],
          configs: [],
        }],
        timeoutMs: 5000,
        validateOnly: true,
      })).topics[0]!;
      // Without DESCRIBE_CONFIGS the created topic's configs are withheld.
      return [t.errorCode, t.topicConfigErrorCode, t.configs?.length ?? 0];
    },
    allowed: [0, TOPIC, 0],
    denied: [TOPIC, TOPIC, 0],
  },
  {
    key: 20,
    grants: [{ type: "TOPIC", name: "doomed", op: "DELETE" }],
    run: async (c) =>
      (await c.request<DeleteTopicsResponse>(DeleteTopics, 6, {
        topics: [{ name: "doomed", topicId: new Uint8Array(16) }],
        timeoutMs: 5000,
      })).responses[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 21,
    grants: [{ type: "TOPIC", name: "t", op: "DELETE" }],
    run: async (c) =>
      (await c.request<DeleteRecordsResponse>(DeleteRecords, 2, {
        topics: [{ name: "t", partitions: [{ partitionIndex: 0, offset: 0 }] }],
        timeoutMs: 5000,
      })).topics[0]!.partitions[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 22,
    grants: [{ type: "CLUSTER", name: "kafka-cluster", op: "IDEMPOTENT_WRITE" }],
    run: async (c) =>
      (await c.request<InitProducerIdResponse>(InitProducerId, 4, {
        transactionalId: null,
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      })).errorCode,
    allowed: 0,
    denied: CLUSTER,
  },
  {
    key: 23,
    grants: [{ type: "TOPIC", name: "t", op: "DESCRIBE" }],
    run: async (c) =>
      (await c.request<OffsetForLeaderEpochResponse>(OffsetForLeaderEpoch, 4, {
        replicaId: -1,
        topics: [{
          topic: "t",
          partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }],
        }],
      })).topics[0]!.partitions[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 22,
    grants: [{ ...TX, op: "WRITE" }],
    async run(c) {
      const r = await c.request<InitProducerIdResponse>(InitProducerId, 4, {
        transactionalId: "tx",
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      });
      Object.assign(txn, { producerId: r.producerId, producerEpoch: r.producerEpoch });
      return r.errorCode;
    },
    allowed: 0,
    denied: TXN_ID,
  },
  {
    key: 24,
    grants: [{ ...TX, op: "WRITE" }, { type: "TOPIC", name: "t", op: "WRITE" }],
    run: async (c) =>
      (await c.request<AddPartitionsToTxnResponse>(AddPartitionsToTxn, 3, {
        v3AndBelowTransactionalId: "tx",
        v3AndBelowProducerId: txn.producerId,
        v3AndBelowProducerEpoch: txn.producerEpoch,
        v3AndBelowTopics: [{ name: "t", partitions: [0] }],
      })).resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode,
    allowed: 0,
    denied: TXN_ID,
  },
  {
    key: 25,
    grants: [{ ...TX, op: "WRITE" }, { type: "GROUP", name: "g", op: "READ" }],
    run: async (c) =>
      (await c.request<AddOffsetsToTxnResponse>(AddOffsetsToTxn, 3, {
        transactionalId: "tx",
        ...txn,
        groupId: "g",
      })).errorCode,
    allowed: 0,
    denied: TXN_ID,
  },
  {
    key: 28,
    grants: [
      { ...TX, op: "WRITE" },
      { type: "GROUP", name: "g", op: "READ" },
      { type: "TOPIC", name: "t", op: "READ" },
    ],
    run: async (c) =>
      (await c.request<TxnOffsetCommitResponse>(TxnOffsetCommit, 3, {
        transactionalId: "tx",
        groupId: "g",
        ...txn,
        generationId: -1,
        memberId: "",
        groupInstanceId: null,
        topics: [{
          name: "t",
          partitions: [{
            partitionIndex: 0,
            committedOffset: 1,
            committedLeaderEpoch: -1,
            committedMetadata: "",
          }],
        }],
      })).topics[0]!.partitions[0]!.errorCode,
    allowed: 0,
    denied: TXN_ID,
  },
  {
    key: 26,
    grants: [{ ...TX, op: "WRITE" }],
    run: async (c) =>
      (await c.request<EndTxnResponse>(EndTxn, 3, {
        transactionalId: "tx",
        ...txn,
        committed: true,
      })).errorCode,
    allowed: 0,
    denied: TXN_ID,
  },
  {
    key: 29,
    grants: [{ type: "CLUSTER", name: "kafka-cluster", op: "DESCRIBE" }],
    run: async (c) =>
      (await c.request<DescribeAclsResponse>(DescribeAcls, 3, ANY_FILTER)).errorCode,
    allowed: 0,
    denied: CLUSTER,
  },
  {
    key: 30,
    grants: [{ type: "CLUSTER", name: "kafka-cluster", op: "ALTER" }],
    run: async (c) =>
      (await c.request<CreateAclsResponse>(CreateAcls, 3, {
        creations: [{
          resourceType: 2,
          resourceName: "other",
          resourcePatternType: 3,
          principal: "User:alice",
          host: "*",
          operation: 3,
          permissionType: 3,
        }],
      })).results.map((r) => r.errorCode),
    allowed: [0],
    denied: [CLUSTER],
  },
  {
    key: 31,
    grants: [{ type: "CLUSTER", name: "kafka-cluster", op: "ALTER" }],
    run: async (c) =>
      (await c.request<DeleteAclsResponse>(DeleteAcls, 3, {
        filters: [{ ...ANY_FILTER, principalFilter: "User:nobody" }],
      })).filterResults.map((r) => r.errorCode),
    allowed: [0],
    denied: [CLUSTER],
  },
  {
    key: 32,
    grants: [{ type: "TOPIC", name: "t", op: "DESCRIBE_CONFIGS" }],
    run: async (c) =>
      (await c.request<DescribeConfigsResponse>(DescribeConfigs, 4, {
        resources: [{ resourceType: 2, resourceName: "t", configurationKeys: null }],
        includeSynonyms: false,
        includeDocumentation: false,
      })).results[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 33,
    grants: [{ type: "TOPIC", name: "t", op: "ALTER_CONFIGS" }],
    run: async (c) =>
      (await c.request<AlterConfigsResponse>(AlterConfigs, 2, {
        resources: [{
          resourceType: 2,
          resourceName: "t",
          configs: [{ name: "retention.ms", value: "600000" }],
        }],
        validateOnly: true,
      })).responses[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 36,
    grants: [],
    // As 17: every login authenticates with SaslAuthenticate, before any principal exists.
    run: async (_c, user) => {
      await (await acl.login(user)).close();
      return "logged in";
    },
    allowed: "logged in",
    denied: "logged in",
  },
  {
    key: 37,
    grants: [{ type: "TOPIC", name: "t", op: "ALTER" }],
    run: async (c) =>
      (await c.request<CreatePartitionsResponse>(CreatePartitions, 3, {
        topics: [{ name: "t", count: 2, assignments: null }],
        timeoutMs: 5000,
        validateOnly: true,
      })).results[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 42,
    grants: [{ type: "GROUP", name: "g-doomed", op: "DELETE" }],
    run: async (c) =>
      (await c.request<DeleteGroupsResponse>(DeleteGroups, 2, { groupsNames: ["g-doomed"] }))
        .results[0]!.errorCode,
    allowed: 0,
    denied: GROUP,
  },
  {
    key: 44,
    grants: [{ type: "TOPIC", name: "t", op: "ALTER_CONFIGS" }],
    run: async (c) =>
      (await c.request<IncrementalAlterConfigsResponse>(IncrementalAlterConfigs, 1, {
        resources: [{
          resourceType: 2,
          resourceName: "t",
          configs: [{ name: "retention.ms", configOperation: 0, value: "600000" }],
        }],
        validateOnly: true,
      })).responses[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 47,
    grants: [{ type: "GROUP", name: "g", op: "DELETE" }, { type: "TOPIC", name: "t", op: "READ" }],
    async run(c) {
      const r = await c.request<OffsetDeleteResponse>(OffsetDelete, 0, {
        groupId: "g",
        topics: [{ name: "t", partitions: [{ partitionIndex: 0 }] }],
      });
      return [r.errorCode, ...r.topics.map((t) => t.partitions[0]!.errorCode)];
    },
    allowed: [0, 0],
    denied: [GROUP],
  },
  {
    key: 48,
    grants: [{ type: "CLUSTER", name: "kafka-cluster", op: "DESCRIBE_CONFIGS" }],
    run: async (c) =>
      (await c.request<DescribeClientQuotasResponse>(DescribeClientQuotas, 1, {
        components: [{ entityType: "user", matchType: 2, match: null }],
        strict: false,
      })).errorCode,
    allowed: 0,
    denied: CLUSTER,
  },
  {
    key: 50,
    grants: [{ type: "CLUSTER", name: "kafka-cluster", op: "DESCRIBE" }],
    run: async (c) =>
      (await c.request<DescribeUserScramCredentialsResponse>(DescribeUserScramCredentials, 0, {
        users: null,
      })).errorCode,
    allowed: 0,
    denied: CLUSTER,
  },
  {
    key: 51,
    grants: [{ type: "CLUSTER", name: "kafka-cluster", op: "ALTER" }],
    run: async (c) =>
      (await c.request<AlterUserScramCredentialsResponse>(AlterUserScramCredentials, 0, {
        deletions: [],
        upsertions: [{
          name: "dave",
          mechanism: 1,
          iterations: 4096,
          salt: new Uint8Array(16).fill(1),
          saltedPassword: new Uint8Array(32).fill(2),
        }],
      })).results.map((r) => r.errorCode),
    allowed: [0],
    denied: [CLUSTER],
  },
  {
    key: 60,
    grants: [{ type: "CLUSTER", name: "kafka-cluster", op: "DESCRIBE" }],
    async run(c) {
      const r = await c.request<DescribeClusterResponse>(DescribeCluster, 1, {
        includeClusterAuthorizedOperations: true,
        endpointType: 1,
      });
      return [r.errorCode, r.clusterAuthorizedOperations];
    },
    allowed: [0, opBits("DESCRIBE")],
    denied: [0, 0],
  },
  {
    key: 61,
    grants: [{ type: "TOPIC", name: "t", op: "READ" }],
    run: async (c) =>
      (await c.request<DescribeProducersResponse>(DescribeProducers, 0, {
        topics: [{ name: "t", partitionIndexes: [0] }],
      })).topics[0]!.partitions[0]!.errorCode,
    allowed: 0,
    denied: TOPIC,
  },
  {
    key: 65,
    grants: [{ ...TX, op: "DESCRIBE" }],
    async run(c) {
      const r = await c.request<DescribeTransactionsResponse>(DescribeTransactions, 0, {
        transactionalIds: ["tx"],
      });
      const t = r.transactionStates[0]!;
      return [t.errorCode, t.transactionState];
    },
    allowed: [0, "CompleteCommit"],
    denied: [TXN_ID, ""],
  },
  {
    key: 66,
    grants: [{ ...TX, op: "DESCRIBE" }],
    run: async (c) =>
      (await c.request<ListTransactionsResponse>(ListTransactions, 0, {
        stateFilters: [],
        producerIdFilters: [],
      })).transactionStates.map((t) => t.transactionalId),
    allowed: ["tx"],
    denied: [],
  },
];

let acl: AclBroker;

/** Topics t (3 records) and doomed, offsets of groups g and g-doomed, all made by the admin. */
async function fixture(b: AclBroker): Promise<void> {
  const create = await b.admin.request<CreateTopicsResponse>(CreateTopics, 7, {
    topics: ["t", "doomed"].map((name) => ({
      name,
      numPartitions: 1,
      replicationFactor: 1,
      assignments: [],
      configs: [],
    })),
    timeoutMs: 5000,
    validateOnly: false,
  });
  assertEquals(create.topics.map((t) => t.errorCode), [0, 0]);
  topicId = new Uint8Array(create.topics[0]!.topicId!);
  const produced = await b.admin.request<ProduceResponse>(Produce, 9, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: "t", partitionData: [{ index: 0, records: records() }] }],
  });
  assertEquals(produced.responses[0]!.partitionResponses[0]!.errorCode, 0);
  for (const group of ["g", "g-doomed"]) {
    const r = await b.admin.request<OffsetCommitResponse>(OffsetCommit, 8, {
      groupId: group,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [{
        name: "t",
        partitions: [{
          partitionIndex: 0,
          committedOffset: 0,
          committedLeaderEpoch: -1,
          committedMetadata: "",
        }],
      }],
    });
    assertEquals(r.topics[0]!.partitions[0]!.errorCode, 0);
  }
}

Deno.test("acl: every API, as an allowed principal and as a denied one, over SASL", async (t) => {
  acl = await startAclBroker();
  try {
    await fixture(acl);
    const alice = await acl.login("alice");
    const bob = await acl.login("bob");
    await t.step("the table covers every API the broker serves", () => {
      const served = acl.broker.services.registry.all().map((h) => h.schema.apiKey);
      assertEquals([...new Set(ROWS.map((r) => r.key))].sort((a, b) => a - b), served);
    });
    for (const row of ROWS) {
      const name = acl.broker.services.registry.get(row.key)!.schema.name;
      await t.step(`${row.key} ${name}`, async () => {
        // The denied principal goes first: the allowed one may delete what it asks about.
        assertEquals(await row.run(bob, "bob"), row.denied, `${name} as bob (no ACLs)`);
        await acl.grant(...row.grants.map((g) => ({ ...g, principal: "User:alice" })));
        try {
          assertEquals(await row.run(alice, "alice"), row.allowed, `${name} as alice`);
        } finally {
          await acl.revokeAll("User:alice");
        }
      });
    }
  } finally {
    await acl.close();
  }
});
