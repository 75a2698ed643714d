export { timedOperation, apiEndpoint, databaseQuery, batchOperation, type BatchOptions } from './helpers.js'
export { PerformanceMonitor } from './performance-monitor.js'
export { setTimingLogger, type TimingOptions, type TimingWrapper } from './timed.js'
export { timingSummary, resetTimingSummary, logTimingSummary, type OperationSummary } from './summary.js'
