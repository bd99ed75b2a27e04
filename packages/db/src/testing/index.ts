export { createTestDatabase, stopPrivateCluster, TEST_PG_ENV, type TestDatabase } from './test-database.js';
export { startTestCluster, freePortBlock, type TestCluster, type TestClusterOptions } from './test-cluster.js';
/** A free loopback port chosen by the kernel (`freeLoopbackPort` of @threadline/config, under the tests' usual name). */
export { freeLoopbackPort as freePort } from '@threadline/config';
