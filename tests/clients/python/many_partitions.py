"""confluent-kafka on many partitions: creates 10 topics of 100 partitions, then one acks=all
producer (linger.ms=5, default max.in.flight) writes 3 records to each of the 1,000 partitions;
prints 'acked N left N errors N' and exits non-zero unless every record was acknowledged."""
import sys
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, prefix = sys.argv[1], sys.argv[2]
admin = AdminClient({"bootstrap.servers": bootstrap})
for f in admin.create_topics([NewTopic(f"{prefix}{i}", 100, 1) for i in range(10)]).values():
    f.result()
acked = 0
errors = []

def on_delivery(err, msg):
    global acked
    if err:
        errors.append(str(err))
    else:
        acked += 1

p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
for r in range(3):
    for t in range(10):
        for part in range(100):
            p.produce(f"{prefix}{t}", value=f"{r}".encode(), partition=part, on_delivery=on_delivery)
    p.poll(0)
left = p.flush(300)
print(f"acked {acked} left {left} errors {len(errors)} {errors[:3]}")
sys.exit(0 if acked == 3000 and left == 0 and not errors else 1)
