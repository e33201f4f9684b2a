/**
 * The failure converter of every worker, workflow bundle and client (plain CommonJS: the SDK
 * `require`s it by path, in the workflow sandbox too). `encodeCommonAttributes` moves each
 * failure's message and stack trace into an encoded payload, which the AES-GCM codec encrypts:
 * Temporal stores failure messages as ciphertext, like every other payload.
 */
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
