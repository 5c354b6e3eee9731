import { objectStoreConformance } from "./conformance.ts";
import { S3ObjectStore } from "./s3.ts";
import { s3Missing, startS3 } from "../testing/services.ts";

objectStoreConformance(
  "s3 (s3rver)",
  async () => {
    const s3 = await startS3("conf");
    const store = new S3ObjectStore({
      bucket: "conf",
      region: "us-east-1",
      endpoint: s3.endpoint,
      forcePathStyle: true,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      conditionalPut: "check-then-put", // s3rver ignores If-None-Match
    });
    return { store, cleanup: () => s3.destroy() };
  },
  s3Missing(),
  { atomicIfNoneMatch: false },
);
