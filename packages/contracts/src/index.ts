// Response shapes shared by the API (which validates and documents them) and the web client
// (which imports the types only). Add a schema here when the web reads that answer.
export * from './cart.js';
export * from './catalog.js';
export * from './orders.js';
export * from './users.js';
