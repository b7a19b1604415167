// child-runtime.ts is deliberately not re-exported: it runs only inside the sandbox child and installs
// process hooks when imported there; harnesses import it directly and first.
export {
  fsReadFlags,
  parseNodeVersion,
  permissionFlag,
  sandboxNodeArgs,
  supportsDisableWarning,
  type NodeVersion,
  type SandboxArgsOptions,
} from './permission-flags.js';
export { isolationPlan, layerSummary, type IsolationPlan, type LayerName } from './isolation.js';
export {
  CHANNEL_FD,
  EXIT_MARKER,
  HARNESS_RESULT_ERROR,
  NON_ERROR,
  REQUEST_FD,
  SANDBOX_ENV,
  TOKEN_ENV,
  type ChildMessage,
  type InputMessage,
  type SerializedError,
} from './protocol.js';
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_MAX_REPLY_BYTES,
  SandboxEnded,
  runSandboxed,
  startSandboxSession,
  type SandboxSession,
  type SessionOptions,
  type SandboxOptions,
  type SandboxOutcome,
  type SandboxVerdict,
} from './run-sandboxed.js';
export { ReplyGuard, type Breach, type GuardEvent } from './reply-guard.js';
export { trimStack, type StackOptions } from './stack.js';
export {
  ChannelEnded,
  SyncChildChannel,
  inAsk,
  type WorkerChannel,
  type WorkerChannelReport,
} from './worker-channel.js';
