/**
 * Recording a student's method by wrapping it on the instance rather than subclassing the student's
 * class: V8 names a method's stack frame after the receiver's class, so a harness subclass (say
 * `Recording`) would rename every frame of the student's own code in the traces students are shown.
 * With the wrapper on the instance, the frames keep the student's class name
 * (`at VtcReplicaScheduler.selectNextRequest (starter/fairness/vtc-replica-scheduler.ts:83:40)`).
 */

/**
 * Replaces `name` on `instance` by `wrap(original)`, where `original` is the method the instance had
 * (its class's, or an own property such as an arrow-function field), bound to the instance.
 */
export function hookMethod<T extends object, A extends unknown[], R>(
  instance: T,
  name: string,
  wrap: (original: (...args: A) => R) => (...args: A) => R,
): T {
  const found: unknown = Reflect.get(instance, name);
  if (typeof found !== 'function')
    throw new TypeError(`${instance.constructor?.name ?? 'the class'} has no method ${name}`);
  const original = (found as (...args: A) => R).bind(instance);
  const hooked = wrap(original);
  Object.defineProperty(instance, name, { value: hooked, writable: true, configurable: true, enumerable: false });
  return instance;
}

/**
 * "Error: boom (at DeadlineScheduler.tokenDeadline, starter/deadline/deadline-scheduler.ts:70)": a
 * thrown value with the innermost frame in the student's folder, when the stack has one, so a message
 * without the trace still says where to look.
 */
export function describeThrown(err: unknown, studentDir: string): string {
  if (!(err instanceof Error)) return String(err);
  const text = `${err.name}: ${err.message}`;
  const where = studentFrame(err.stack ?? '', studentDir);
  return where === undefined ? text : `${text} (at ${where})`;
}

/** `Class.method, starter/lab/file.ts:line` (or just the place) for the first frame in `studentDir`. */
export function studentFrame(stack: string, studentDir: string): string | undefined {
  const escaped = studentDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const place = new RegExp(`(${escaped}/[\\w.-]+\\.ts:\\d+)`);
  for (const line of stack.split('\n')) {
    const m = place.exec(line);
    if (m === null || !/^\s+at /.test(line)) continue;
    const fn = /^\s+at (?:async )?([^\s(]+) \(/.exec(line)?.[1];
    return fn === undefined ? m[1] : `${fn}, ${m[1]}`;
  }
  return undefined;
}
