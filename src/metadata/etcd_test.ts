import { metadataConformance } from "./conformance.ts";
import { EtcdMetadataStore } from "./etcd.ts";
import { etcdMissing, startEtcd } from "../testing/services.ts";

metadataConformance("etcd", async () => {
  const etcd = await startEtcd();
  const store = await EtcdMetadataStore.open({ endpoints: [etcd.endpoint], prefix: "/test" });
  return { store, cleanup: () => etcd.destroy() };
}, etcdMissing());
