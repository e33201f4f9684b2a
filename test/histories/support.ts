/**
 * Shared by scripts/record-histories.ts and workflows/replay.int.test.ts: the fixture encryption
 * key and the history ⇄ JSON conversion.
 *
 * FIXTURE_ENCRYPTION_KEYS is TEST ONLY and not a secret: it protects nothing but synthetic fixture
 * data (test/fixtures.ts). A recorded history holds AES-GCM ciphertext (workers/codec.ts), so it
 * replays only with the key it was recorded with: change this and every JSON here must be
 * re-recorded. (The 32 bytes are sha256("rcm-pain replay fixtures: test-only key, not a secret").)
 */
import path from 'node:path';
import type * as protoTypes from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

export const FIXTURE_ENCRYPTION_KEYS = 'fixture-1:IXGNxDCYsN9t6p8T2IUq2cVjy6FvSR5lL3MpyewRQ8Q=';

export type History = protoTypes.temporal.api.history.v1.IHistory;

/*
 * Why not `historyToJSON` / `historyFromJSON` from @temporalio/common/lib/proto-utils: in this
 * install @temporalio/common and @temporalio/proto each carry their own copy of protobufjs 8 (the
 * root node_modules holds protobufjs 7 for @grpc/proto-loader, so npm cannot hoist either), and
 * protojson's `instanceof Type` check fails across the copies ("type must be a Type"). Using the
 * protojson of the protobufjs that @temporalio/proto itself loads gives the same canonical proto3
 * JSON (the format of `temporal workflow show --output json` and the Web UI download), whatever
 * the layout. Replay is then handed the decoded History, never JSON, so the worker does not call
 * historyFromJSON either.
 */
type ProtoJson = { toJson(type: unknown, message: unknown): unknown; fromJson(type: unknown, json: unknown, opts?: { ignoreUnknownFields?: boolean }): unknown };
const protoDir = path.dirname(require.resolve('@temporalio/proto'));
// require, not `import * as`: patchProtobufRoot walks the CommonJS module object itself (vitest's
// ESM namespace wrapper of it has no protobuf root to patch).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proto = require('@temporalio/proto') as typeof protoTypes;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const historyType = (patchProtobufRoot(proto) as any).lookupType('temporal.api.history.v1.History');

/** A fetched history (e.g. `handle.fetchHistory()`) as canonical proto3 JSON text. */
export function historyToJson(history: History): string {
  const message = proto.temporal.api.history.v1.History.fromObject(history);
  return `${JSON.stringify(protojson.toJson(historyType, message), null, 2)}\n`;
}

/** Canonical proto3 JSON (as written by historyToJson) back to a History for Worker.runReplayHistory. */
export function historyFromJson(json: unknown): History {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { events?: unknown }).events)) {
    throw new TypeError('not a history: expected an object with an array of events');
  }
  return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
}
