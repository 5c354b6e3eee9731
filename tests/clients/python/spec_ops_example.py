"""The spec's confluent-kafka Ops example (spec/ops-api-v1.md), run as written, with checks
added after each step. Expects topic "orders" (fewer than 6 partitions) and group "my-group"
holding committed offsets and no members. Arguments: bootstrap, then any client settings as
key=value.

One line differs from the spec: it writes `{"orders": NewPartitions(6)}`, which raises
TypeError in confluent-kafka (NewPartitions takes the topic and the new total, and
create_partitions takes a list), so the create-partitions step uses the library's signature."""
import sys
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource, NewPartitions

# Further arguments are client settings (key=value), e.g. to run it over SASL_SSL.
admin = AdminClient({"bootstrap.servers": sys.argv[1], **dict(a.split("=", 1) for a in sys.argv[2:])})

# List consumer groups
groups = admin.list_consumer_groups()
ids = [g.group_id for g in groups.result().valid]
print("Groups:", ids)
assert "my-group" in ids

# Describe a consumer group
described = admin.describe_consumer_groups(["my-group"])
for group_id, future in described.items():
    group = future.result()
    print(f"Group: {group.group_id}, State: {group.state}")
    assert str(group.state).endswith("EMPTY"), group.state
    for member in group.members:
        print(f"  Member: {member.member_id}, Client: {member.client_id}")

# Describe topic configs
resource = ConfigResource(ConfigResource.Type.TOPIC, "orders")
configs = admin.describe_configs([resource])
for res, future in configs.items():
    config = future.result()
    for key, entry in config.items():
        print(f"  {key} = {entry.value}")
    # The spec's writable whitelist and the compaction keys, plus the keys a topic can be given
    # only at creation (shown read-only: AlterConfigs may change only the writable ones).
    writable = {"retention.ms", "retention.bytes", "segment.bytes", "cleanup.policy",
                "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "max.compaction.lag.ms",
                "delete.retention.ms", "segment.ms"}
    creation_only = {"max.message.bytes", "message.timestamp.type",
                     "message.timestamp.before.max.ms", "message.timestamp.after.max.ms",
                     "compression.type"}
    assert set(config) == writable | creation_only, set(config)
    assert all(config[k].is_read_only == (k in creation_only) for k in config), config

# Alter topic configs (whitelist only: retention.ms, retention.bytes, segment.bytes)
resource = ConfigResource(ConfigResource.Type.TOPIC, "orders", set_config={"retention.ms": "120000"})
result = admin.alter_configs([resource])
for res, future in result.items():
    future.result()  # Raises on error
    print(f"Updated {res.name}")
after = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "orders")])
assert list(after.values())[0].result()["retention.ms"].value == "120000"

# A key outside the whitelist is refused with INVALID_CONFIG (cleanup.policy is writable now:
# topics may be compacted)
bad = ConfigResource(ConfigResource.Type.TOPIC, "orders", set_config={"min.insync.replicas": "2"})
try:
    list(admin.alter_configs([bad]).values())[0].result()
    raise SystemExit("min.insync.replicas was accepted")
except Exception as e:
    assert "INVALID_CONFIG" in str(e) or "min.insync.replicas" in str(e), e

# Create partitions (additive only)
new_parts = [NewPartitions("orders", 6)]  # spec: {"orders": NewPartitions(6)} (TypeError)
result = admin.create_partitions(new_parts)
for topic, future in result.items():
    future.result()  # Raises on error
    print(f"Expanded {topic} to 6 partitions")
md = admin.list_topics(topic="orders", timeout=10)
assert len(md.topics["orders"].partitions) == 6

# Delete consumer group
result = admin.delete_consumer_groups(["my-group"])
for group_id, future in result.items():
    future.result()  # Raises on error
    print(f"Deleted group: {group_id}")
assert "my-group" not in [g.group_id for g in admin.list_consumer_groups().result().valid]
print("ok spec example")
