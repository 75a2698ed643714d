/**
 * Put on a log call's object (as a symbol key, so it is never serialized) to exempt that line from
 * rate limiting: request logs are the record of traffic, not a runaway loop.
 */
export const UNLIMITED = Symbol.for('curator-log.unlimited')
