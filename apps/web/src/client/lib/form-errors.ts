import { ApiError, describeError } from './api';

/** Errors of a form: one message per field plus one for the form as a whole. */
export interface FormErrors {
  fields: Record<string, string>;
  form?: string;
}

export const NO_ERRORS: FormErrors = { fields: {} };

/**
 * Maps an API error to the form: when the API names a field the form has, the message sits under
 * that field; otherwise it is shown at the top of the form. Field paths like `variants/0/price` or
 * `body.email` are reduced to their last meaningful part.
 */
export function toFormErrors(error: unknown, knownFields: readonly string[]): FormErrors {
  if (error instanceof ApiError && error.field) {
    const normalised = error.field.replace(/^\/?(body[./])?/, '').replace(/\//g, '.');
    const match = knownFields.find((field) => field === normalised || normalised.endsWith(`.${field}`) || normalised.startsWith(`${field}.`));
    if (match) return { fields: { [match]: error.message } };
    if (knownFields.includes(normalised)) return { fields: { [normalised]: error.message } };
  }
  return { fields: {}, form: describeError(error) };
}
