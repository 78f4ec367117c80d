/** The s3rver launcher lives with the benchmark harness, which ships it; tests use the same one. */
export * from '../../bench/s3rver.js';
