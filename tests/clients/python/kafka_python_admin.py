"""kafka-python 2.0.2's KafkaAdminClient for the Ops calls it supports: list and describe
groups, describe and alter configs, create partitions."""
import sys
from kafka.admin import KafkaAdminClient, ConfigResource, ConfigResourceType, NewPartitions

admin = KafkaAdminClient(bootstrap_servers=sys.argv[1])
groups = [g[0] for g in admin.list_consumer_groups()]
assert "py-group" in groups, groups
desc = admin.describe_consumer_groups(["py-group"])
assert desc[0].state == "Empty", desc
res = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "pyops")])
names = sorted(c[0] for c in res[0].resources[0][4])
assert names == ["cleanup.policy", "compression.type", "delete.retention.ms",
                 "max.compaction.lag.ms", "max.message.bytes", "message.timestamp.after.max.ms",
                 "message.timestamp.before.max.ms", "message.timestamp.type",
                 "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "retention.bytes",
                 "retention.ms", "segment.bytes", "segment.ms"], names
admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, "pyops", configs={"retention.bytes": "1048576"})])
res = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "pyops")])
vals = {c[0]: c[1] for c in res[0].resources[0][4]}
assert vals["retention.bytes"] == "1048576", vals
admin.create_partitions({"pyops": NewPartitions(total_count=4)})
admin.close()
print("ok kafka-python admin")
