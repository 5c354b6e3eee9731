/**
 * What handlers may use: the broker's domain services, built once by the composition root.
 * Handlers hold no state of their own.
 * @module
 */
import type { Config } from "../config/config.ts";
import type { TopicRegistry } from "../cluster/topics.ts";
import type { LogManager } from "../log/log_manager.ts";
import type { MetadataStore } from "../metadata/types.ts";
import type { HandlerRegistry } from "./registry.ts";
import type { TopicConfig } from "../metadata/records.ts";
import type { GroupCoordinator } from "../groups/coordinator.ts";
import type { Membership } from "../cluster/membership.ts";
import type { Logger } from "../metrics/logger.ts";
import type { CredentialStore } from "../auth/credentials.ts";
import type { Authorizer } from "../auth/authorizer.ts";
import type { AclStore } from "../auth/acl_store.ts";
import type { TxnCoordinator } from "../txn/coordinator.ts";

/** This broker as clients see it. */
export interface BrokerIdentity {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  clusterId: string;
}

/** Hands out producer ids that are unique across every broker sharing the metadata store. */
export interface ProducerIdSource {
  next(): Promise<number>;
}

/** The services handlers call. */
export interface BrokerServices {
  config: Config;
  broker: BrokerIdentity;
  topics: TopicRegistry;
  logs: LogManager;
  meta: MetadataStore;
  registry: HandlerRegistry;
  producerIds: ProducerIdSource;
  groups: GroupCoordinator;
  /** The transaction coordinator of the transactional ids placement gives this broker. */
  txn: TxnCoordinator;
  /** Live brokers and placement: which broker leads each partition and coordinates each group. */
  cluster: Membership;
  /** The broker's log (destructive admin writes are logged at info with the client). */
  log: Logger;
  /** Users' SCRAM credentials (in the metadata store). */
  credentials: CredentialStore;
  /** Decides what each principal may do (KAFSCALE_AUTHORIZER; `none` allows everything). */
  authorizer: Authorizer;
  /** The ACLs (in the metadata store), or null without the acl authorizer. */
  acls: AclStore | null;
  /** Returns the topic, creating it when auto-creation is on; undefined when unknown. */
  topicForWrite(name: string): Promise<TopicConfig | undefined>;
}
