"""confluent-kafka AdminClient.delete_records against a partition holding offsets 0..n-1:
records below the requested offset are gone (the low watermark, ListOffsets earliest and a
consumer from the beginning all start there), an offset above the high watermark is
OFFSET_OUT_OF_RANGE, and -1 (OFFSET_END) deletes up to the high watermark.
Usage: delete_records.py BOOTSTRAP TOPIC N CUT"""
import sys
from confluent_kafka import Consumer, KafkaError, OFFSET_BEGINNING, OFFSET_END, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

bootstrap, topic, n, cut = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
admin = AdminClient({"bootstrap.servers": bootstrap})

def delete(offset):
    tp = TopicPartition(topic, 0, offset)
    return admin.delete_records([tp], request_timeout=30)[tp].result()

def earliest():
    tp = TopicPartition(topic, 0)
    return admin.list_offsets({tp: OffsetSpec.earliest()}, request_timeout=30)[tp].result().offset

assert delete(cut).low_watermark == cut
assert earliest() == cut, earliest()

consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False,
                     "enable.partition.eof": True})
consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
offsets = []
while True:
    msg = consumer.poll(30)
    assert msg is not None, f"timed out after {offsets}"
    if msg.error():
        assert msg.error().code() == KafkaError._PARTITION_EOF, msg.error()
        break
    offsets.append(msg.offset())
consumer.close()
assert offsets == list(range(cut, n)), offsets

try:
    delete(n + 100)
    raise SystemExit("an offset above the high watermark must be refused")
except Exception as e:
    assert e.args[0].code() == KafkaError.OFFSET_OUT_OF_RANGE, e
assert earliest() == cut

assert delete(OFFSET_END).low_watermark == n
assert earliest() == n
print("ok")
