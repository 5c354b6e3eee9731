/**
 * Every message schema the broker knows, by API key. Adding an API touches its schema file,
 * its handler file, and one line here.
 * @module
 */
import type { ApiSchema } from "../schema.ts";
import { Produce } from "./00_produce.ts";
import { Fetch } from "./01_fetch.ts";
import { ListOffsets } from "./02_list_offsets.ts";
import { Metadata } from "./03_metadata.ts";
import { OffsetCommit } from "./08_offset_commit.ts";
import { OffsetFetch } from "./09_offset_fetch.ts";
import { FindCoordinator } from "./10_find_coordinator.ts";
import { JoinGroup } from "./11_join_group.ts";
import { Heartbeat } from "./12_heartbeat.ts";
import { LeaveGroup } from "./13_leave_group.ts";
import { SyncGroup } from "./14_sync_group.ts";
import { DescribeGroups } from "./15_describe_groups.ts";
import { ListGroups } from "./16_list_groups.ts";
import { SaslHandshake } from "./17_sasl_handshake.ts";
import { ApiVersions } from "./18_api_versions.ts";
import { CreateTopics } from "./19_create_topics.ts";
import { DeleteTopics } from "./20_delete_topics.ts";
import { DeleteRecords } from "./21_delete_records.ts";
import { InitProducerId } from "./22_init_producer_id.ts";
import { OffsetForLeaderEpoch } from "./23_offset_for_leader_epoch.ts";
import { AddPartitionsToTxn } from "./24_add_partitions_to_txn.ts";
import { AddOffsetsToTxn } from "./25_add_offsets_to_txn.ts";
import { EndTxn } from "./26_end_txn.ts";
import { TxnOffsetCommit } from "./28_txn_offset_commit.ts";
import { DescribeAcls } from "./29_describe_acls.ts";
import { CreateAcls } from "./30_create_acls.ts";
import { DeleteAcls } from "./31_delete_acls.ts";
import { DescribeConfigs } from "./32_describe_configs.ts";
import { AlterConfigs } from "./33_alter_configs.ts";
import { SaslAuthenticate } from "./36_sasl_authenticate.ts";
import { CreatePartitions } from "./37_create_partitions.ts";
import { DeleteGroups } from "./42_delete_groups.ts";
import { IncrementalAlterConfigs } from "./44_incremental_alter_configs.ts";
import { OffsetDelete } from "./47_offset_delete.ts";
import { DescribeClientQuotas } from "./48_describe_client_quotas.ts";
import { DescribeUserScramCredentials } from "./50_describe_user_scram_credentials.ts";
import { AlterUserScramCredentials } from "./51_alter_user_scram_credentials.ts";
import { DescribeCluster } from "./60_describe_cluster.ts";
import { DescribeProducers } from "./61_describe_producers.ts";
import { DescribeTransactions } from "./65_describe_transactions.ts";
import { ListTransactions } from "./66_list_transactions.ts";

/** All schemas, in API key order. */
export const ALL_SCHEMAS: readonly ApiSchema[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  OffsetCommit,
  OffsetFetch,
  FindCoordinator,
  JoinGroup,
  Heartbeat,
  LeaveGroup,
  SyncGroup,
  DescribeGroups,
  ListGroups,
  SaslHandshake,
  ApiVersions,
  CreateTopics,
  DeleteTopics,
  DeleteRecords,
  InitProducerId,
  OffsetForLeaderEpoch,
  AddPartitionsToTxn,
  AddOffsetsToTxn,
  EndTxn,
  TxnOffsetCommit,
  DescribeAcls,
  CreateAcls,
  DeleteAcls,
  DescribeConfigs,
  AlterConfigs,
  SaslAuthenticate,
  CreatePartitions,
  DeleteGroups,
  IncrementalAlterConfigs,
  OffsetDelete,
  DescribeClientQuotas,
  DescribeUserScramCredentials,
  AlterUserScramCredentials,
  DescribeCluster,
  DescribeProducers,
  DescribeTransactions,
  ListTransactions,
].sort((a, b) => a.apiKey - b.apiKey);
