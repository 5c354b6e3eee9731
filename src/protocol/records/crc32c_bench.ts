import { crc32c } from "./crc32c.ts";

const MiB = new Uint8Array(1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);

Deno.bench("crc32c 1 MiB", { n: 200 }, () => {
  crc32c(MiB);
});
