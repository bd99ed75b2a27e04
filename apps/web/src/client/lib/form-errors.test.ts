import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ApiError } from './api';
import { toFormErrors } from './form-errors';

describe('API errors on forms', () => {
  it('puts a field error under the field the API names', () => {
    const error = new ApiError(409, 'EMAIL_TAKEN', 'An account with this email already exists.', 'email');
    assert.deepEqual(toFormErrors(error, ['email', 'password']), { fields: { email: 'An account with this email already exists.' } });
  });

  it('understands nested field paths', () => {
    const error = new ApiError(400, 'VALIDATION_FAILED', 'Price must be at least 0.', '/variants/0/price');
    assert.deepEqual(toFormErrors(error, ['name', 'variants']), { fields: { variants: 'Price must be at least 0.' } });
  });

  it('shows errors without a known field at the top of the form', () => {
    const error = new ApiError(401, 'INVALID_CREDENTIALS', 'Email or password is wrong.');
    assert.deepEqual(toFormErrors(error, ['email']), { fields: {}, form: 'Email or password is wrong.' });
    assert.deepEqual(toFormErrors(new ApiError(400, 'X', 'Bad.', 'colour'), ['email']), { fields: {}, form: 'Bad.' });
  });
});
