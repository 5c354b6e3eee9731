/**
 * Registers every implemented API. ApiVersions is derived from this list.
 * @module
 */
import type { HandlerRegistry } from "./registry.ts";
import type { BrokerServices } from "./services.ts";
import type { BrokerMetrics } from "../metrics/metrics.ts";
import { produceHandler } from "./00_produce.ts";
import { fetchHandler } from "./01_fetch.ts";
import { listOffsetsHandler } from "./02_list_offsets.ts";
import { metadataHandler } from "./03_metadata.ts";
import { saslHandshakeHandler } from "./17_sasl_handshake.ts";
import { apiVersionsHandler } from "./18_api_versions.ts";
import { createTopicsHandler } from "./19_create_topics.ts";
import { deleteTopicsHandler } from "./20_delete_topics.ts";
import { deleteRecordsHandler } from "./21_delete_records.ts";
import { initProducerIdHandler } from "./22_init_producer_id.ts";
import { describeClusterHandler } from "./60_describe_cluster.ts";
import { addPartitionsToTxnHandler } from "./24_add_partitions_to_txn.ts";
import { addOffsetsToTxnHandler } from "./25_add_offsets_to_txn.ts";
import { endTxnHandler } from "./26_end_txn.ts";
import { txnOffsetCommitHandler } from "./28_txn_offset_commit.ts";
import { describeTransactionsHandler } from "./65_describe_transactions.ts";
import { describeProducersHandler } from "./61_describe_producers.ts";
import { listTransactionsHandler } from "./66_list_transactions.ts";
import { offsetCommitHandler } from "./08_offset_commit.ts";
import { offsetFetchHandler } from "./09_offset_fetch.ts";
import { findCoordinatorHandler } from "./10_find_coordinator.ts";
import { joinGroupHandler } from "./11_join_group.ts";
import { heartbeatHandler } from "./12_heartbeat.ts";
import { leaveGroupHandler } from "./13_leave_group.ts";
import { syncGroupHandler } from "./14_sync_group.ts";
import { offsetDeleteHandler } from "./47_offset_delete.ts";
import { describeGroupsHandler } from "./15_describe_groups.ts";
import { listGroupsHandler } from "./16_list_groups.ts";
import { offsetForLeaderEpochHandler } from "./23_offset_for_leader_epoch.ts";
import { describeAclsHandler } from "./29_describe_acls.ts";
import { createAclsHandler } from "./30_create_acls.ts";
import { deleteAclsHandler } from "./31_delete_acls.ts";
import { describeConfigsHandler } from "./32_describe_configs.ts";
import { alterConfigsHandler } from "./33_alter_configs.ts";
import { saslAuthenticateHandler } from "./36_sasl_authenticate.ts";
import { createPartitionsHandler } from "./37_create_partitions.ts";
import { deleteGroupsHandler } from "./42_delete_groups.ts";
import { incrementalAlterConfigsHandler } from "./44_incremental_alter_configs.ts";
import { describeClientQuotasHandler } from "./48_describe_client_quotas.ts";
import { describeUserScramCredentialsHandler } from "./50_describe_user_scram_credentials.ts";
import { alterUserScramCredentialsHandler } from "./51_alter_user_scram_credentials.ts";

/** Adds every handler to the registry. */
export function registerHandlers(
  registry: HandlerRegistry,
  services: BrokerServices,
  metrics: BrokerMetrics,
): void {
  registry
    .register(produceHandler(services, metrics))
    .register(fetchHandler(services))
    .register(listOffsetsHandler(services))
    .register(metadataHandler(services))
    .register(apiVersionsHandler(services))
    .register(createTopicsHandler(services))
    .register(deleteTopicsHandler(services))
    .register(deleteRecordsHandler(services))
    .register(initProducerIdHandler(services))
    .register(addPartitionsToTxnHandler(services))
    .register(addOffsetsToTxnHandler(services))
    .register(endTxnHandler(services))
    .register(txnOffsetCommitHandler(services))
    .register(describeProducersHandler(services))
    .register(describeTransactionsHandler(services))
    .register(listTransactionsHandler(services))
    .register(describeClusterHandler(services))
    .register(offsetCommitHandler(services))
    .register(offsetFetchHandler(services))
    .register(findCoordinatorHandler(services))
    .register(joinGroupHandler(services))
    .register(heartbeatHandler(services))
    .register(leaveGroupHandler(services))
    .register(syncGroupHandler(services))
    .register(offsetDeleteHandler(services))
    .register(describeGroupsHandler(services))
    .register(listGroupsHandler(services))
    .register(offsetForLeaderEpochHandler(services))
    .register(describeAclsHandler(services))
    .register(createAclsHandler(services))
    .register(deleteAclsHandler(services))
    .register(describeConfigsHandler(services))
    .register(alterConfigsHandler(services))
    .register(createPartitionsHandler(services))
    .register(deleteGroupsHandler(services))
    .register(incrementalAlterConfigsHandler(services))
    .register(saslHandshakeHandler())
    .register(saslAuthenticateHandler())
    .register(describeClientQuotasHandler(services))
    .register(describeUserScramCredentialsHandler(services))
    .register(alterUserScramCredentialsHandler(services));
}
