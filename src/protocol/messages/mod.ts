/**
 * Every message schema the broker knows, by API key. Adding an API touches its schema file,
 * its handler file, and one line here.
 * @module
 */
import type { ApiSchema } from "../schema.ts";
import { ApiVersions } from "./18_api_versions.ts";

/** All schemas, in API key order. */
export const ALL_SCHEMAS: readonly ApiSchema[] = [
  ApiVersions,
].sort((a, b) => a.apiKey - b.apiKey);
