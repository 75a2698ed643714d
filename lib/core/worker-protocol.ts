// The protocol between the app thread and the transport's worker, in a module of its own so the
// app thread can use it without loading the worker's code.

/** Message the app thread posts to ask every curator-log transport in the worker to flush. */
export const FLUSH_REQUEST = 'curator-log:flush'
/** Event a transport answers a flush with on the thread-stream: (id, stats). */
export const FLUSHED_EVENT = 'curator-log:flushed'
/** Message asking for the counters now, without waiting for anything. */
export const STATS_REQUEST = 'curator-log:stats'
/** Event carrying the counters: (id, stats); id is null for the periodic report. */
export const STATS_EVENT = 'curator-log:stats'
