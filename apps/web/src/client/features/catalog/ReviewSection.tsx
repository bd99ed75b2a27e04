import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';

import { useSession } from '../../app/session';
import { describeError } from '../../lib/api';
import { NO_ERRORS, toFormErrors, type FormErrors } from '../../lib/form-errors';
import type { Product } from '../../lib/types';
import { postReview, useReviewableItems, useReviews } from './reviews-api';
import { Stars } from './Stars';
import { ratingOf } from './product-facts';

const dateFormat = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' });

function StarInput({ value, onChange }: { value: number; onChange: (value: number) => void }) {
  return (
    <fieldset className="star-input">
      <legend>Your rating</legend>
      {[1, 2, 3, 4, 5].map((n) => (
        <label key={n} className={n <= value ? 'is-on' : ''}>
          <input type="radio" name="rating" value={n} checked={value === n} onChange={() => onChange(n)} />
          <span aria-hidden="true">★</span>
          <span className="visually-hidden">{n} {n === 1 ? 'star' : 'stars'}</span>
        </label>
      ))}
    </fieldset>
  );
}

function ReviewForm({ product, orderItemId, onPosted }: { product: Product; orderItemId: number; onPosted: () => void }) {
  const [rating, setRating] = useState(0);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [isSaving, setIsSaving] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const fields: Record<string, string> = {};
    if (rating === 0) fields.rating = 'Choose from 1 to 5 stars.';
    if (!body.trim()) fields.body = 'Tell other shoppers what you think.';
    if (Object.keys(fields).length > 0) return setErrors({ fields });
    setIsSaving(true);
    try {
      await postReview(product.id, { orderItemId, rating, title: title.trim() || undefined, body: body.trim() });
      setErrors(NO_ERRORS);
      onPosted();
    } catch (error) {
      setErrors(toFormErrors(error, ['rating', 'title', 'body']));
    } finally {
      setIsSaving(false);
    }
  }

  return (
    <form className="card review-form" onSubmit={submit} noValidate>
      <h3>Write a review</h3>
      <p className="muted">You bought this item — tell other shoppers how it fits and wears.</p>
      {errors.form && <p className="alert alert--error" role="alert">{errors.form}</p>}
      <StarInput value={rating} onChange={setRating} />
      {errors.fields.rating && <p className="field-error" role="alert">{errors.fields.rating}</p>}
      <div className="field">
        <label htmlFor="review-title">Title <span className="muted">(optional)</span></label>
        <input id="review-title" maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
        {errors.fields.title && <p className="field-error">{errors.fields.title}</p>}
      </div>
      <div className="field">
        <label htmlFor="review-body">Your review</label>
        <textarea id="review-body" rows={4} maxLength={5000} value={body} onChange={(e) => setBody(e.target.value)} aria-invalid={errors.fields.body ? true : undefined} />
        {errors.fields.body && <p className="field-error">{errors.fields.body}</p>}
      </div>
      <button type="submit" className="button" disabled={isSaving}>{isSaving ? 'Posting…' : 'Post review'}</button>
    </form>
  );
}

export function ReviewSection({ product, onPosted }: { product: Product; onPosted: () => void }) {
  const { user } = useSession();
  const reviews = useReviews(String(product.id));
  const [thanks, setThanks] = useState(false);
  const [version, setVersion] = useState(0);
  const bought = useReviewableItems(product.id, Boolean(user), version);
  const rating = ratingOf(product);
  const reviewedLines = new Set(reviews.items.map((review) => review.orderItemId));
  const first = bought.find((line) => !reviewedLines.has(line.id));

  return (
    <section className="reviews" aria-labelledby="reviews-heading">
      <div className="reviews__head">
        <h2 id="reviews-heading">Reviews</h2>
        {rating ? <p className="reviews__summary"><Stars value={rating.average} /> <strong>{rating.average.toFixed(1)}</strong> out of 5 · {rating.count} {rating.count === 1 ? 'review' : 'reviews'}</p> : <p className="muted">No reviews yet.</p>}
      </div>
      {first && (
        <ReviewForm
          product={product}
          orderItemId={first.id}
          onPosted={() => {
            setThanks(true);
            setVersion((v) => v + 1);
            onPosted();
            reviews.reload();
          }}
        />
      )}
      {thanks && <p className="alert alert--success" role="status">Thank you — your review is published.</p>}
      {!user && <p className="muted"><Link to="/login">Sign in</Link> to review items you bought.</p>}
      {reviews.error !== undefined && <p className="alert alert--error">{describeError(reviews.error)}</p>}
      <ul className="review-list">
        {reviews.items.map((review) => (
          <li key={review.id} className="review">
            <div className="review__top">
              <Stars value={review.rating} />
              {review.title && <strong>{review.title}</strong>}
            </div>
            {review.body && <p>{review.body}</p>}
            <p className="muted review__by">{review.authorName ?? 'Verified buyer'} · {dateFormat.format(new Date(review.createdAt))}</p>
          </li>
        ))}
      </ul>
      {reviews.nextCursor && (
        <button type="button" className="button button--secondary" onClick={reviews.loadMore} disabled={reviews.isLoadingMore}>
          {reviews.isLoadingMore ? 'Loading…' : 'More reviews'}
        </button>
      )}
    </section>
  );
}
