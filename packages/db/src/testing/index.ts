export { createTestDatabase, stopPrivateCluster, TEST_PG_ENV, type TestDatabase } from './test-database.js';
export { startTestCluster, freePort, freePortBlock, type TestCluster, type TestClusterOptions } from './test-cluster.js';
