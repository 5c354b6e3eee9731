/**
 * The roll-forward's view of the object store: the indexes of the segment objects written since
 * a cutoff (src/log/object_index.ts), as described segments grouped by topic id and partition.
 * An object is read when the store's write time or the time in its key is past the cutoff.
 * @module
 */
import type { ObjectInfo, ObjectStore } from "../object_store/types.ts";
import { readObjectIndex } from "../log/object_index.ts";
import type { FoundSegment } from "./roll_forward.ts";

const INDEX_READS = 16;

/** What was scanned in the object store. */
export interface ScanSummary {
  /** Segment objects listed, and how many were read (written since the window's start). */
  objects: number;
  read: number;
  /** Read objects without an index (written before objects described themselves). */
  undescribed: number;
}

/** Reads the indexes of the objects written since `cutoff`, grouped by topic id and partition. */
export async function scanObjects(
  objects: ObjectStore,
  listed: ObjectInfo[],
  o: { cutoff: number; scanAll?: boolean; progress?: (line: string) => void },
): Promise<{ found: Map<string, FoundSegment[]>; summary: ScanSummary }> {
  const segs = listed.filter((x) => x.key.endsWith(".seg"));
  const stamp = (key: string) => Number(/\/(\d{15})-[^/]*$/.exec(key)?.[1] ?? NaN);
  const recent = segs.filter((x) =>
    o.scanAll || x.lastModified >= o.cutoff || stamp(x.key) >= o.cutoff
  );
  const found = new Map<string, FoundSegment[]>();
  const summary: ScanSummary = { objects: segs.length, read: 0, undescribed: 0 };
  const queue = [...recent];
  await Promise.all(Array.from({ length: INDEX_READS }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const chunks = await readObjectIndex(objects, next.key, next.size);
      summary.read++;
      if (summary.read % 1000 === 0) {
        o.progress?.(`read the indexes of ${summary.read} of ${recent.length} objects`);
      }
      if (chunks === null) {
        summary.undescribed++;
        continue;
      }
      for (const c of chunks) {
        const k = `${c.topic_id}/${c.partition}`;
        const list = found.get(k) ?? [];
        list.push({ ...c, key: next.key, object_chunks: chunks.length });
        found.set(k, list);
      }
    }
  }));
  return { found, summary };
}
