import { useEffect, useRef, useState, type FormEvent } from 'react';

import { ApiError } from '../../lib/api';
import { formatCents } from '../../lib/money';
import type { Order } from '../../lib/types';
import { formatCardNumber, formatExpiry, validateCard, type CardErrors } from './card';
import { newIdempotencyKey, paymentMessage, payOrder } from './checkout-api';

/**
 * The payment step. Field checks run first; when they pass, the order is placed (once) and paid.
 * Only one error shows at a time: field messages, or one banner for what the server said.
 */
export function CardForm(props: { total: number; defaultName: string; ensureOrder: () => Promise<{ order: Order; token: string | undefined }>; onPaid: (order: Order) => void }) {
  const [number, setNumber] = useState('');
  const [expiry, setExpiry] = useState('');
  const [cvc, setCvc] = useState('');
  const [name, setName] = useState(props.defaultName);
  const [errors, setErrors] = useState<CardErrors>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [isPaying, setIsPaying] = useState(false);
  const failureRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (failure) failureRef.current?.focus();
  }, [failure]);

  async function pay(event: FormEvent) {
    event.preventDefault();
    const checked = validateCard(number, expiry, cvc);
    setFailure(undefined);
    setErrors(checked.errors);
    if (!checked.card) return;
    setIsPaying(true);
    try {
      const { order, token } = await props.ensureOrder();
      await payOrder(order.id, checked.card, newIdempotencyKey(), token);
      props.onPaid(order);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'VALIDATION_FAILED' && error.field && /number/.test(error.field)) setErrors({ number: error.message });
      else setFailure(paymentMessage(error));
    } finally {
      setIsPaying(false);
    }
  }

  const fieldProps = (key: keyof CardErrors, id: string) => ({
    'aria-invalid': errors[key] ? true : undefined,
    'aria-describedby': errors[key] ? `${id}-error` : undefined,
  });

  return (
    <form className="card checkout__form" onSubmit={pay} noValidate aria-describedby="test-cards">
      <h2>Payment</h2>
      {failure && (
        <p className="alert alert--error" role="alert" tabIndex={-1} ref={failureRef} data-testid="payment-error">
          <strong>Payment failed.</strong> {failure}
        </p>
      )}
      <div className="field">
        <label htmlFor="card-name">Name on card</label>
        <input id="card-name" autoComplete="cc-name" value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="card-number">Card number</label>
        <input id="card-number" inputMode="numeric" autoComplete="cc-number" placeholder="1234 1234 1234 1234" value={number} onChange={(e) => setNumber(formatCardNumber(e.target.value))} {...fieldProps('number', 'card-number')} />
        {errors.number && <p id="card-number-error" className="field-error">{errors.number}</p>}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="card-expiry">Expiry (MM/YY)</label>
          <input id="card-expiry" inputMode="numeric" autoComplete="cc-exp" placeholder="MM/YY" maxLength={7} value={expiry} onChange={(e) => setExpiry((previous) => formatExpiry(e.target.value, previous))} {...fieldProps('expiry', 'card-expiry')} />
          {errors.expiry && <p id="card-expiry-error" className="field-error">{errors.expiry}</p>}
        </div>
        <div className="field">
          <label htmlFor="card-cvc">Security code</label>
          <input id="card-cvc" inputMode="numeric" autoComplete="cc-csc" placeholder="CVC" maxLength={4} value={cvc} onChange={(e) => setCvc(e.target.value.replace(/\D/g, '').slice(0, 4))} {...fieldProps('cvc', 'card-cvc')} />
          {errors.cvc && <p id="card-cvc-error" className="field-error">{errors.cvc}</p>}
        </div>
      </div>
      <button type="submit" className="button button--large button--block" disabled={isPaying}>
        {isPaying ? 'Processing payment…' : `Pay ${formatCents(props.total)}`}
      </button>
      <p id="test-cards" className="muted small test-cards">
        Test shop: pay with <code>4242 4242 4242 4242</code> (succeeds) or <code>4000 0000 0000 0002</code> (declined), any future expiry and any CVC.
      </p>
    </form>
  );
}
