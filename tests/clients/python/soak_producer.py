"""confluent-kafka soak producer: an idempotent acks=all producer sends unique values at a steady
rate to every partition of a topic for a number of seconds, riding out broker kills and pauses
(librdkafka retries until message.timeout.ms), then prints one line per acknowledged record,
'ACK <value> <partition> <offset>', and one 'ERR <value> <error>' per failed delivery."""
import sys
import time
from confluent_kafka import Producer

bootstrap, topic, partitions, rate, seconds, prefix = (
    sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
out = []

def on_delivery(err, msg):
    if err is not None:
        out.append(f"ERR {msg.value().decode()} {err}")
    else:
        out.append(f"ACK {msg.value().decode()} {msg.partition()} {msg.offset()}")

p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
              "linger.ms": 5, "message.timeout.ms": 180000, "socket.timeout.ms": 10000,
              "topic.metadata.refresh.interval.ms": 2000})
start = time.monotonic()
i = 0
while time.monotonic() - start < seconds:
    due = int((time.monotonic() - start) * rate)
    while i < due:
        p.produce(topic, value=f"{prefix}{i}".encode(), partition=i % partitions,
                  on_delivery=on_delivery)
        i += 1
    p.poll(0.01)
left = p.flush(240)
for line in out:
    print(line)
print(f"SENT {i} LEFT {left}", file=sys.stderr)
