"""A confluent-kafka consumer group member for the group tests. Prints one line per event,
flushed at once: "ASSIGN p,p,..", "REVOKE p,..", "R <partition> <offset> <value>". Commits
each record synchronously before printing it. SIGTERM closes gracefully (LeaveGroup)."""
import signal
import sys
from confluent_kafka import Consumer

bootstrap, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
instance = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else None
conf = {
    "bootstrap.servers": bootstrap, "group.id": group, "auto.offset.reset": "earliest",
    "enable.auto.commit": False, "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
    "partition.assignment.strategy": "range",
}
if instance:
    conf["group.instance.id"] = instance
c = Consumer(conf)
running = True

def stop(*_):
    global running
    running = False

signal.signal(signal.SIGTERM, stop)

def show(kind, parts):
    print(kind, ",".join(str(p.partition) for p in sorted(parts, key=lambda p: p.partition)), flush=True)

c.subscribe([topic], on_assign=lambda _c, ps: show("ASSIGN", ps), on_revoke=lambda _c, ps: show("REVOKE", ps))
while running:
    m = c.poll(0.2)
    if m is None:
        continue
    if m.error():
        print("ERROR", m.error(), flush=True)
        continue
    c.commit(message=m, asynchronous=False)
    print("R", m.partition(), m.offset(), m.value().decode(), flush=True)
c.close()
print("CLOSED", flush=True)
