export * from './money/money.js';
export * from './stock/stock.js';
export * from './orders/order-state.js';
export * from './pricing/price-cart.js';
export * from './payments/card.js';
export * from './money/round-decimal.js';
export * from './calendar/calendar.js';
export * from './errors/error-kind.js';
