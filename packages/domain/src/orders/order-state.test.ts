import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkTransition, isPurchaseCompleted, needsRefund, nextStatuses, returnsStock, timestampColumn } from './order-state.js';

describe('order state machine', () => {
  it('follows the happy path pending → paid → shipped → delivered', () => {
    assert.deepEqual(checkTransition('pending', 'paid', 'payment'), { ok: true });
    assert.deepEqual(checkTransition('paid', 'shipped', 'seller'), { ok: true });
    assert.deepEqual(checkTransition('shipped', 'delivered', 'admin'), { ok: true });
  });

  it('lets only the payment system mark an order paid', () => {
    for (const actor of ['customer', 'seller', 'admin'] as const) {
      assert.equal(checkTransition('pending', 'paid', actor).ok, false);
    }
  });

  it('lets a customer cancel before shipping but not after', () => {
    assert.equal(checkTransition('pending', 'cancelled', 'customer').ok, true);
    assert.equal(checkTransition('paid', 'cancelled', 'customer').ok, true);
    const late = checkTransition('shipped', 'cancelled', 'customer');
    assert.equal(late.ok, false);
    assert.match(late.ok ? '' : late.reason, /shipped to cancelled/);
  });

  it('refunds only orders that were paid, and never by the customer', () => {
    assert.equal(checkTransition('pending', 'refunded', 'admin').ok, false);
    assert.equal(checkTransition('delivered', 'refunded', 'seller').ok, true);
    assert.equal(checkTransition('delivered', 'refunded', 'customer').ok, false);
  });

  it('has no way out of the final states', () => {
    for (const final of ['cancelled', 'refunded'] as const) {
      for (const actor of ['customer', 'seller', 'admin', 'payment'] as const) {
        assert.deepEqual(nextStatuses(final, actor), []);
      }
    }
    assert.deepEqual(nextStatuses('delivered', 'admin'), ['refunded']);
  });

  it('returns stock on cancel and refund, refunds money on cancel of a paid order', () => {
    assert.equal(returnsStock('cancelled'), true);
    assert.equal(returnsStock('refunded'), true);
    assert.equal(returnsStock('shipped'), false);
    assert.equal(needsRefund('paid', 'cancelled'), true);
    assert.equal(needsRefund('pending', 'cancelled'), false);
  });

  it('names the timestamp column of each state', () => {
    assert.equal(timestampColumn('paid'), 'paid_at');
    assert.equal(timestampColumn('pending'), null);
  });

  it('counts paid, shipped and delivered orders as completed purchases', () => {
    assert.equal(isPurchaseCompleted('paid'), true);
    assert.equal(isPurchaseCompleted('delivered'), true);
    assert.equal(isPurchaseCompleted('pending'), false);
    assert.equal(isPurchaseCompleted('cancelled'), false);
  });
});
