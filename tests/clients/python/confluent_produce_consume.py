"""confluent-kafka: produce with acks=all (delivery reports checked), then consume by explicit
partition assignment and verify every record, key and header, in order per partition."""
import sys
from confluent_kafka import Consumer, Producer, TopicPartition

bootstrap, topic, n, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
acked = {}
errors = []

def on_delivery(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        acked[msg.value().decode()] = (msg.partition(), msg.offset())

p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5, "enable.idempotence": True})
for i in range(n):
    p.produce(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=i % partitions,
              headers=[("idx", str(i).encode())], on_delivery=on_delivery)
    if i % 1000 == 0:
        p.poll(0)
left = p.flush(30)
assert left == 0 and not errors, f"unacked {left}, errors {errors[:3]}"
assert len(acked) == n, f"acked {len(acked)} of {n}"

c = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused", "enable.auto.commit": False,
              "enable.partition.eof": True})
c.assign([TopicPartition(topic, part, 0) for part in range(partitions)])
seen = {}
eof = set()
while len(eof) < partitions:
    msg = c.poll(10)
    assert msg is not None, f"timed out with {len(seen)} records"
    if msg.error():
        if msg.error().code() == -191:  # _PARTITION_EOF
            eof.add(msg.partition())
            continue
        raise SystemExit(f"consume error: {msg.error()}")
    v = msg.value().decode()
    i = int(v[1:])
    assert msg.key() == f"k{i}".encode() and dict(msg.headers())["idx"] == str(i).encode()
    assert acked[v] == (msg.partition(), msg.offset()), f"{v}: acked at {acked[v]}, read at {(msg.partition(), msg.offset())}"
    seen[v] = True
c.close()
assert len(seen) == n, f"read {len(seen)} of {n}"
print(f"ok {n}")
