/**
 * Native-call state shared with the thread that owns this engine: IDLE, IN_CALL while onnxruntime runs (a worker
 * must not be terminated then: the binding aborts the whole process when its call returns into a dying thread),
 * or STOPPED once the owner has claimed the thread for termination, after which no call starts.
 */
export const NATIVE_IDLE = 0;
export const NATIVE_IN_CALL = 1;
export const NATIVE_STOPPED = 2;
