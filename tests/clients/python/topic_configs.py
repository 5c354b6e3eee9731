"""confluent-kafka: topic configs given at creation (AdminClient NewTopic(config=...)).
- max.message.bytes and message.timestamp.type=LogAppendTime are accepted and described as
  read-only topic configs; a batch over the limit gets MSG_SIZE_TOO_LARGE;
- a record produced with a 1970 timestamp is stamped by the broker: the delivery report and the
  consumer see the append time, timestamp type LogAppendTime;
- on a CreateTime topic a record a day in the future gets INVALID_TIMESTAMP;
- cleanup.policy compact and compact,delete are accepted and described;
- refused keys fail the creation with INVALID_CONFIG and the broker's message."""
import sys
import time
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition, TIMESTAMP_LOG_APPEND_TIME
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

bootstrap = sys.argv[1]
admin = AdminClient({"bootstrap.servers": bootstrap})

def create(name, config):
    """Creates a topic; returns None or the KafkaError."""
    try:
        admin.create_topics([NewTopic(name, 1, 1, config=config)])[name].result(30)
        return None
    except Exception as e:
        return e.args[0]

assert create("lat", {"max.message.bytes": "2000", "message.timestamp.type": "LogAppendTime"}) is None
assert create("ct", {"message.timestamp.type": "CreateTime"}) is None
assert create("compacted", {"cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0.1"}) is None
assert create("both", {"cleanup.policy": "compact,delete"}) is None
refused = {
    "bad-policy": ({"cleanup.policy": "keep"}, "Invalid value(s); allowed: delete, compact"),
    "bad-ratio": ({"min.cleanable.dirty.ratio": "2"}, "Value must be between 0 and 1"),
    "bad-gzip": ({"compression.type": "gzip"}, "recompression on the broker is not supported"),
    "bad-key": ({"min.insync.replicas": "2"}, "Config 'min.insync.replicas' is not supported"),
}
for name, (config, why) in refused.items():
    err = create(name, config)
    assert err is not None and err.code() == KafkaError.INVALID_CONFIG, f"{name}: {err}"
    assert why in err.str(), f"{name}: {err.str()}"

described = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "lat")])
entries = list(described.values())[0].result(30)
mmb = entries["max.message.bytes"]
assert mmb.value == "2000" and mmb.is_read_only, mmb
assert mmb.source == 1, f"source {mmb.source}"  # DYNAMIC_TOPIC_CONFIG
assert entries["message.timestamp.type"].value == "LogAppendTime"
assert entries["cleanup.policy"].value == "delete" and entries["cleanup.policy"].is_default
described = admin.describe_configs([ConfigResource(ConfigResource.Type.TOPIC, "compacted")])
entries = list(described.values())[0].result(30)
assert entries["cleanup.policy"].value == "compact" and not entries["cleanup.policy"].is_read_only
assert entries["min.cleanable.dirty.ratio"].value == "0.1", entries["min.cleanable.dirty.ratio"]
assert entries["delete.retention.ms"].value == "86400000" and entries["delete.retention.ms"].is_default

reports = []
producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 0})
def on_delivery(err, msg):
    reports.append((err, msg.timestamp()))

before = int(time.time() * 1000)
producer.produce("lat", b"small", timestamp=1000, on_delivery=on_delivery)
producer.flush(30)
after = int(time.time() * 1000)
err, (ts_type, ts) = reports.pop()
assert err is None, err
assert ts_type == TIMESTAMP_LOG_APPEND_TIME and before <= ts <= after, (ts_type, ts, before, after)
appended = ts

producer.produce("lat", b"x" * 5000, on_delivery=on_delivery)
producer.flush(30)
err, _ = reports.pop()
assert err is not None and err.code() == KafkaError.MSG_SIZE_TOO_LARGE, err

future = int(time.time() * 1000) + 86_400_000
producer.produce("ct", b"from the future", timestamp=future, on_delivery=on_delivery)
producer.flush(30)
err, _ = reports.pop()
assert err is not None and err.code() == KafkaError.INVALID_TIMESTAMP, err
producer.produce("ct", b"now", on_delivery=on_delivery)
producer.flush(30)
err, _ = reports.pop()
assert err is None, err

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False})
consumer.assign([TopicPartition("lat", 0, 0)])
msg = consumer.poll(30)
assert msg is not None and msg.error() is None, msg and msg.error()
assert msg.value() == b"small" and msg.offset() == 0
assert msg.timestamp() == (TIMESTAMP_LOG_APPEND_TIME, appended), msg.timestamp()
consumer.close()
print("ok")
