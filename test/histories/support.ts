/**
 * Shared by scripts/record-histories.ts and workflows/replay.int.test.ts: the fixture encryption
 * key and the history ⇄ JSON conversion.
 *
 * FIXTURE_ENCRYPTION_KEYS is TEST ONLY and not a secret: it protects nothing but synthetic fixture
 * data (test/fixtures.ts). A recorded history holds AES-GCM ciphertext (lib/codec.ts), so it
 * replays only with the key it was recorded with: change this and every JSON here must be
 * re-recorded. (The 32 bytes are sha256("rcm-pain replay fixtures: test-only key, not a secret").)
 */
import type * as protoTypes from '@temporalio/proto';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';

export const FIXTURE_ENCRYPTION_KEYS = 'fixture-1:IXGNxDCYsN9t6p8T2IUq2cVjy6FvSR5lL3MpyewRQ8Q=';

export type History = protoTypes.temporal.api.history.v1.IHistory;

/*
 * The SDK's own converters, i.e. the canonical proto3 JSON of `temporal workflow show --output json`
 * and of the Web UI's download. They need one protobufjs 8 shared by @temporalio/common and
 * @temporalio/proto: package.json pins protobufjs 8.8.1 at the top level so npm dedupes it (with
 * @grpc/proto-loader's protobufjs 7 nested under it, the SDK's `instanceof Type` check failed
 * across copies: "type must be a Type").
 */

/** A fetched history (e.g. `handle.fetchHistory()`) as canonical proto3 JSON text. */
export function historyToJson(history: History): string {
  return `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`;
}

/** Canonical proto3 JSON (as written by historyToJson) back to a History for Worker.runReplayHistory. */
export function historyFromJson(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('not a history: expected an object with an array of events');
  }
  return historyFromJSON(json);
}
