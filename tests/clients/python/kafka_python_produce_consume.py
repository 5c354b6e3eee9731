"""kafka-python 2.0.2: produce (acks=all) and consume by assignment, the legacy client's API
versions (it negotiates from ApiVersions)."""
import sys
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

bootstrap, topic, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
futures = [p.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=0) for i in range(n)]
offsets = [f.get(timeout=30).offset for f in futures]
p.close()
assert offsets == list(range(offsets[0], offsets[0] + n)), "offsets not dense"
c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=10000)
tp = TopicPartition(topic, 0)
c.assign([tp])
c.seek(tp, offsets[0])
got = []
for msg in c:
    got.append(msg.value.decode())
    if len(got) == n:
        break
c.close()
assert got == [f"v{i}" for i in range(n)], f"got {len(got)}"
print(f"ok {n}")
